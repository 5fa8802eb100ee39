package io.bulwark.core.message;

/** Hard upper bounds on every variable-size field. Decoders reject anything larger before allocating. */
public final class WireLimits {
    public static final int FRAME_BYTES_MAX = 16 * 1024 * 1024;
    public static final int OPERATION_BYTES_MAX = 1024 * 1024;
    public static final int RESULT_BYTES_MAX = 1024 * 1024;
    public static final int SIGNATURE_BYTES_MAX = 512;
    /** A threshold signature share with its proof (Shoup RSA: about 2.5 |n|; 8192-bit moduli fit). */
    public static final int THRESHOLD_SHARE_BYTES_MAX = 4096;
    /** A combined threshold signature: |n| bytes. */
    public static final int THRESHOLD_SIGNATURE_BYTES_MAX = 1024;
    public static final int BATCH_REQUESTS_MAX = 8192;
    /** Nodes in one list (accepts in a certificate, reports in a progress certificate). */
    public static final int NODES_MAX = 256;
    /** Slots one view-change report may describe: bounded by the pipeline window. */
    public static final int REPORT_SLOTS_MAX = 4096;
    public static final int QUERY_SLOTS_MAX = 1024;
    /** Sequence numbers (slots, proposal numbers, timestamps) stay far from overflow. */
    public static final long SEQUENCE_MAX = Long.MAX_VALUE / 4;

    private WireLimits() {}
}
