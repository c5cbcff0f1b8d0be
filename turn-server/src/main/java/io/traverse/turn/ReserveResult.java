package io.traverse.turn;

import java.util.Objects;

/** Outcome of {@link AllocationRegistry#reserve}: a quota slot, or the error to answer. */
public sealed interface ReserveResult permits ReserveResult.Granted, ReserveResult.Rejected {

    /** Why a reservation was refused. */
    enum RejectReason {
        /**
         * The user holds {@code maxAllocationsPerUser} allocations: 486 Allocation Quota Reached
         * (RFC 8656 §7.2 step 10, quota "based on the username").
         */
        QUOTA_REACHED(486),
        /** The server holds {@code maxAllocations}: 508 Insufficient Capacity (RFC 8656 §7.2). */
        INSUFFICIENT_CAPACITY(508);

        private final int errorCode;

        RejectReason(int errorCode) {
            this.errorCode = errorCode;
        }

        /** The STUN error code. */
        public int errorCode() {
            return errorCode;
        }
    }

    /**
     * A slot was taken; close the permit or register it.
     *
     * @param permit the slot
     */
    record Granted(AllocationPermit permit) implements ReserveResult {
        /** Validates. */
        public Granted {
            Objects.requireNonNull(permit, "permit");
        }
    }

    /**
     * No slot.
     *
     * @param reason why
     */
    record Rejected(RejectReason reason) implements ReserveResult {
        static final Rejected QUOTA_REACHED = new Rejected(RejectReason.QUOTA_REACHED);
        static final Rejected INSUFFICIENT_CAPACITY = new Rejected(RejectReason.INSUFFICIENT_CAPACITY);

        /** Validates. */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }

        /** The STUN error code to answer with. */
        public int errorCode() {
            return reason.errorCode();
        }
    }
}
