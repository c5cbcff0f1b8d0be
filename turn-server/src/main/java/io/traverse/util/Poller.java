package io.traverse.util;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** A daemon thread that runs a check every interval (file polls); a failing run is logged, not fatal. */
public final class Poller {
    private Poller() {}

    /** Starts running {@code task} every {@code interval}; shut the executor down to stop. */
    public static ScheduledExecutorService start(String threadName, Duration interval, Runnable task, Logger log) {
        long millis = Math.max(1, interval.toMillis());
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{} failed", threadName, e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        return poller;
    }
}
