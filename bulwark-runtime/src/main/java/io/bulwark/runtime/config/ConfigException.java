package io.bulwark.runtime.config;

/**
 * A cluster directory that cannot be used: a missing or unreadable file, a bad value, keys that
 * do not belong together. The message says which file and which entry, and is meant to be shown
 * to a person as it is (no stack trace).
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
