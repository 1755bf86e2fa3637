package dev.kura.console;

import java.util.Map;

/**
 * What the console's dashboard shows, as a JSON-ready tree (maps, lists, strings, numbers, booleans).
 * Implemented by the composition root over the node's own metrics, drives, repair passes and partition
 * budgets; the console knows none of them. Contract: every number is measured, never estimated or made
 * up; a figure with no source is absent or {@code null}, and the app says "not available".
 */
@FunctionalInterface
public interface Dashboard {
    Map<String, Object> snapshot();
}
