package org.m3vit.cli;

import com.google.gson.JsonParseException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * Turns exceptions escaping a command into one clear line and a non-zero exit code. Bad user input
 * ({@link IllegalArgumentException}: a flag, config, file content or shape that is wrong; also a path that
 * does not exist, is of the wrong kind or may not be read, and text that is not UTF-8 or not JSON) exits
 * with 2; anything else (a failing disk, engine errors, a diverged run) with 1. Flag errors found by the
 * parser are one line too, with a one-line hint to {@code --help} ({@link #parameterHandler}). Set
 * {@code M3VIT_DEBUG=1} to also see the stack trace.
 */
public final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    public static final int BAD_INPUT = 2;
    public static final int FAILURE = 1;

    /** Longest message printed; a longer one (a value echoed back) is cut. */
    private static final int MAX_MESSAGE = 2000;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        Throwable e = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        print(cmd.getErr(), commandPath(cmd), message(e), e);
        return badInput(e) ? BAD_INPUT : FAILURE;
    }

    /** The command as typed after {@code m3vit}, subcommands included ({@code generalist train}). */
    static String commandPath(CommandLine cmd) {
        String name = cmd.getCommandSpec().qualifiedName(" ");
        return name.startsWith("m3vit ") ? name.substring("m3vit ".length()) : name;
    }

    public static void print(PrintWriter err, String command, String message, Throwable e) {
        err.println("m3vit " + command + ": error: " + oneLine(message));
        if (System.getenv("M3VIT_DEBUG") != null && e != null) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    public static boolean badInput(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof NoSuchFileException
                || e instanceof NotDirectoryException
                || e instanceof AccessDeniedException
                || e instanceof FileAlreadyExistsException
                || e instanceof DirectoryNotEmptyException
                || (e instanceof FileSystemException f && "Is a directory".equals(f.getReason()))
                || e instanceof CharacterCodingException
                || e instanceof JsonParseException;
    }

    /** The exception's message, with what a bare library message lacks (the path, what kind of problem). */
    public static String message(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": file not found";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": "
                    + (f.getReason() == null ? e.getClass().getSimpleName() : f.getReason());
        }
        if (e instanceof CharacterCodingException) {
            return "a file is not UTF-8 text (" + e.getClass().getSimpleName() + ")";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return m;
        }
        // An engine or library message such as "-1312886367" or "long overflow" says nothing alone.
        return m.matches(".*[a-zA-Z]{3,}.*\\s.*") && !(e instanceof ArithmeticException)
                ? m
                : e.getClass().getSimpleName() + ": " + m;
    }

    static String oneLine(String m) {
        String s = m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "… (cut)" : m;
        return s.replace("\r", "");
    }

    /** Flag errors: one line naming the problem, one line pointing at the command's help; exit 2. */
    public static CommandLine.IParameterExceptionHandler parameterHandler() {
        return (ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            String command = commandPath(cmd);
            String m = ex.getMessage() == null ? "invalid arguments" : ex.getMessage();
            int nl = m.indexOf('\n');
            err.println("m3vit " + command + ": error: " + oneLine(nl < 0 ? m : m.substring(0, nl)));
            err.println("try '" + cmd.getCommandSpec().qualifiedName(" ") + " --help' for usage");
            err.flush();
            return BAD_INPUT;
        };
    }
}
