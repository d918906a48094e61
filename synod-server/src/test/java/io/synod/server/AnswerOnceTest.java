package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request is answered once, and its answer cancels the HTTP layer's backstop: a node serving thousands of requests
 * a second must not keep a scheduled 504 (holding the connection and the request's closures) alive for the whole
 * timeout of each one (measured: p99 at 16 connections fell from 14–15 ms to 6–7 ms once they were cancelled).
 */
class AnswerOnceTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void theAnswerCancelsTheBackstopAndWinsOverIt() {
        List<Response> replies = new ArrayList<>();
        HttpApi.Once once = new HttpApi.Once(replies::add);
        ScheduledFuture<?> backstop = timer.schedule(() -> once.accept(Response.error(504, "TIMEOUT", "late")),
                1, TimeUnit.HOURS);
        once.guardedBy(backstop);
        once.accept(Response.error(412, "CONDITION_FAILED", "the answer"));
        assertThat(backstop.isCancelled()).isTrue();
        once.accept(Response.error(504, "TIMEOUT", "late"));
        assertThat(replies).extracting(Response::status).containsExactly(412);
    }

    @Test
    void aBackstopSetAfterTheAnswerIsCancelledAtOnce() {
        List<Response> replies = new ArrayList<>();
        HttpApi.Once once = new HttpApi.Once(replies::add);
        once.accept(Response.error(412, "CONDITION_FAILED", "answered before the backstop was set"));
        ScheduledFuture<?> backstop = timer.schedule(() -> { }, 1, TimeUnit.HOURS);
        once.guardedBy(backstop);
        assertThat(backstop.isCancelled()).isTrue();
        assertThat(replies).hasSize(1);
    }

    @Test
    void withoutAnAnswerTheBackstopAnswers() throws Exception {
        List<Response> replies = new ArrayList<>();
        HttpApi.Once once = new HttpApi.Once(response -> {
            synchronized (replies) {
                replies.add(response);
            }
        });
        once.guardedBy(timer.schedule(() -> once.accept(Response.error(504, "TIMEOUT", "no answer")),
                10, TimeUnit.MILLISECONDS));
        Thread.sleep(200);
        synchronized (replies) {
            assertThat(replies).extracting(Response::status).containsExactly(504);
        }
    }
}
