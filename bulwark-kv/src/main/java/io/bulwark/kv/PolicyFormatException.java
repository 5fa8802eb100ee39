package io.bulwark.kv;

/** A {@link PrefixAccessPolicy} text that is not in the format; the message names the source and the line. */
public final class PolicyFormatException extends IllegalArgumentException {
    private final String source;
    private final int line;

    /**
     * @param source what was being read (a file name), for the message
     * @param line   1-based line number, or 0 if the problem is not on one line
     */
    public PolicyFormatException(String source, int line, String problem) {
        super(source + (line > 0 ? ", line " + line : "") + ": " + problem);
        this.source = source;
        this.line = line;
    }

    public String source() {
        return source;
    }

    /** The 1-based number of the offending line (0: the input as a whole). */
    public int line() {
        return line;
    }
}
