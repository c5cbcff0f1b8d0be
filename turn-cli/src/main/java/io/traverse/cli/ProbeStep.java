package io.traverse.cli;

import java.io.PrintWriter;

/**
 * Runs the named steps of a probe, printing one line per step with its elapsed time:
 * {@code   ok    allocate         4 ms  relayed 192.0.2.1:50000 ...} or {@code   FAIL  allocate  ...}.
 * A failing step throws {@link Failed}, carrying the step name and the one-line reason.
 */
final class ProbeStep {
    /** Body of a step. */
    @FunctionalInterface
    interface Body<T> {
        T run() throws Exception;
    }

    /** A step failed; {@link #getMessage()} is the reason without the step name. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        private final String step;

        Failed(String step, String reason) {
            super(reason, null, false, false);
            this.step = step;
        }

        String step() {
            return step;
        }
    }

    /** Thrown by a body to fail its step with exactly this reason. */
    static final class Reason extends Exception {
        private static final long serialVersionUID = 1L;

        Reason(String message) {
            super(message, null, false, false);
        }
    }

    private final PrintWriter out;
    private final long start = System.nanoTime();
    private int passed;

    ProbeStep(PrintWriter out) {
        this.out = out;
    }

    /** Runs {@code body}; its result's {@code toString()} (or {@code detail}) is printed after the time. */
    <T> T run(String name, Body<T> body, java.util.function.Function<T, String> detail) throws Failed {
        long t0 = System.nanoTime();
        T result;
        try {
            result = body.run();
        } catch (Reason r) {
            fail(name, t0, r.getMessage());
            throw new Failed(name, r.getMessage());
        } catch (Exception e) {
            String reason = ProbeDiagnosis.explain(e);
            fail(name, t0, reason);
            throw new Failed(name, reason);
        }
        passed++;
        line("ok", name, t0, detail.apply(result));
        return result;
    }

    private void fail(String name, long t0, String reason) {
        line("FAIL", name, t0, reason);
    }

    private void line(String status, String name, long t0, String detail) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.printf("  %-4s  %-17s %5d ms  %s%n", status, name, ms, detail);
        out.flush();
    }

    int passed() {
        return passed;
    }

    long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
