// apps/bench entry point.
export {};
