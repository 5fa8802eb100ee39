package io.bulwark.kv;

import java.util.Objects;

/**
 * The store refused an operation ({@link KvResult.Error}, with its code), or its reply could not
 * be understood ({@link KvErrorCode#UNEXPECTED_REPLY}).
 */
public final class KvException extends RuntimeException {
    private final KvErrorCode code;

    public KvException(KvErrorCode code, String message) {
        super(code + ": " + message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public KvException(KvErrorCode code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public KvErrorCode code() {
        return code;
    }
}
