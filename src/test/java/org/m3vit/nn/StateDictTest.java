package org.m3vit.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StateDictTest {

    @Test
    void stripsDjlOrderingPrefixOnly() {
        assertEquals("gate", StateDict.moduleName("01gate"));
        assertEquals("0", StateDict.moduleName("010"));
        assertEquals("11", StateDict.moduleName("1211"));
        assertEquals("x", StateDict.moduleName("x"));
    }
}
