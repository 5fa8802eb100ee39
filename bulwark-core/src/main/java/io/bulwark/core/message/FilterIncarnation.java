package io.bulwark.core.message;

/**
 * Filter row 0 → agreement nodes, on every heartbeat: "this is my incarnation". Filters persist
 * nothing, so a restarted row-0 filter has forgotten every slot it was sent; an agreement node
 * that sees a new incarnation from a filter forgets which slots that filter acknowledged and sends
 * it their ORDERED again. The value is fixed for the life of the process (its start time), so it
 * says nothing about the filter's progress: a filter never asks for slots by number (that would
 * be timing turned into contents on a link to the outside, docs/firewall.md).
 */
public record FilterIncarnation(long incarnation) implements Message {}
