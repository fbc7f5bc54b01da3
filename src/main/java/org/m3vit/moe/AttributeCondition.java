package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;
import org.m3vit.nn.LayerNormLayer;
import org.m3vit.nn.LinearLayer;

/**
 * Attribute level (Uni-Perceiver-MoE): the router sees only an embedded binary attribute vector,
 * h = LayerNorm(Linear_{A→D}(a)), never the token itself. Attribute rows are given per segment with a
 * row index per token, so routing is a deterministic function of the attributes at inference and
 * linear experts can be merged ahead of time.
 */
public final class AttributeCondition extends RoutingCondition {

    /** Width of Uni-Perceiver-MoE's attribute vector. */
    public static final int DEFAULT_ATTRIBUTES = 8;

    private final int attributes;
    private final long dim;
    private final LinearLayer proj;
    private final LayerNormLayer norm;

    public AttributeCondition(int attributes, long dim) {
        Checks.positive("attribute dimension", attributes);
        Checks.positive("attribute embedding dimension", dim);
        this.attributes = attributes;
        this.dim = dim;
        proj = addChildBlock("proj", LinearLayer.torchDefault(attributes, dim, true));
        norm = addChildBlock("norm", new LayerNormLayer(dim, 1e-5f));
    }

    @Override
    public long featureDim() {
        return dim;
    }

    @Override
    public String id() {
        return "attribute";
    }

    /** h = LayerNorm(Linear(a)) for attribute rows (R, A). */
    public NDArray embed(ParameterStore ps, NDArray rows, boolean training) {
        Checks.shape("attribute rows", rows, -1, attributes);
        return norm.forward(ps, proj.forward(ps, rows.toType(DataType.FLOAT32, false), training), training);
    }

    @Override
    public RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        NDArray rows = ctx.attributes("attribute-level routing");
        if (rows.getShape().dimension() == 1) {
            rows = rows.expandDims(0);
        }
        NDArray rowOfToken = ctx.attributeRowOfToken();
        if (rowOfToken == null) {
            if (rows.getShape().get(0) != 1) {
                throw new IllegalArgumentException("attribute rows " + rows.getShape()
                        + " need a row index per token when there is more than one row");
            }
            long tokens = x.getShape().get(0) * x.getShape().get(1);
            rowOfToken = x.getManager().zeros(new Shape(tokens), DataType.INT64).toDevice(x.getDevice(), false);
        } else {
            rowOfToken = perTokenIds(rowOfToken, x, "attribute row of token");
        }
        return new RouterInput(embed(ps, rows, training), rowOfToken);
    }
}
