package io.bulwark.cli;

/** Defaults for slf4j-simple in long-running commands: timestamps, short logger names, info level. */
final class LogSetup {
    private LogSetup() {}

    static void configure() {
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
