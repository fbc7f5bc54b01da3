package org.m3vit.serve;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error answer is {@code {"error": "..."}} with a status that says whose fault it is: 400 for
 * input that is wrong, 404/413/503/504 from {@link ServeException}, and 500 only for the server's own
 * failures, which are logged.
 */
final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    /** Writes the error answer for {@code e} and returns its status. */
    static int answer(Context ctx, Throwable e) {
        int status;
        String message;
        if (e instanceof InvalidInputException) {
            status = 400;
            message = e.getMessage();
        } else if (e instanceof ServeException se) {
            status = se.status();
            message = se.getMessage();
            if (se.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", Integer.toString(se.retryAfterSeconds()));
            }
        } else if (e instanceof HttpResponseException he) {
            status = he.getStatus();
            message = he.getMessage();
        } else {
            status = 500;
            message = "internal error: " + e;
            LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
        }
        write(ctx, status, message);
        return status;
    }

    /**
     * Closing a connection with request bytes still unread makes the kernel reset it, and a reset discards
     * the answer the client had not read yet; reading the rest first lets the error arrive. A body already
     * read to its end costs nothing here.
     */
    private static void discardUnreadBody(Context ctx) {
        try {
            BoundedBody.discardRest(ctx.req().getInputStream());
        } catch (java.io.IOException | IllegalStateException e) {
            // the body was taken as a reader, or the client went away: nothing is left to read
        }
    }

    private static boolean hasBody(Context ctx) {
        return ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    static void write(Context ctx, int status, String message) {
        if (hasBody(ctx)) {
            // The request may have been refused before its body was read (unknown model or endpoint, too
            // large, queue full). The server then drops the connection after answering; saying so stops a
            // keep-alive client from sending its next request on a connection that is about to close (it
            // would get no response at all).
            ctx.header("Connection", "close");
            discardUnreadBody(ctx);
        }
        ctx.status(status).contentType("application/json");
        try {
            ctx.result(Json.MAPPER.writeValueAsBytes(Map.of("error", message == null ? "error " + status : message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            ctx.result("{\"error\": \"error " + status + "\"}");
        }
    }
}
