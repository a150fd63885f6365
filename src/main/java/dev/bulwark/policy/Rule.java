package dev.bulwark.policy;

/**
 * One Cedar policy as Bulwark holds it: its id (the reason decisions name), its text, where
 * it came from, whether it is an approval gate (a {@code forbid} that an approval lifts),
 * and the principals it can apply to ({@code scope}: {@code all}, {@code type:Agent},
 * {@code agent:<id>}, {@code user:<subject>}, {@code role:<name>}, {@code group:<name>},
 * {@code tenant:<id>}), so a decision only evaluates the rules that could apply.
 */
public record Rule(String id, String source, String origin, boolean gate, String scope) {}
