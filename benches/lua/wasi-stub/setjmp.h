/* wasi-libc has no setjmp (it needs the exception-handling proposal).
 * The benchmark's Lua is built with LUAI_THROW = abort(): a Lua error ends
 * the program instead of unwinding, which the benchmark script never does. */
