// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
//
// Under clang with -Wthread-safety (the `clang-tsa` preset) the compiler proves, at compile time, that
// every access to a CONCLAB_GUARDED_BY(mu_) field happens with mu_ held. Under GCC every macro expands
// to nothing, so annotated code builds everywhere.
#pragma once

#if defined(__clang__)
#define CONCLAB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CONCLAB_THREAD_ANNOTATION(x)
#endif

// A type that can be held: a mutex.
#define CONCLAB_CAPABILITY(name) CONCLAB_THREAD_ANNOTATION(capability(name))
// An RAII type that holds a capability for its lifetime: a lock guard.
#define CONCLAB_SCOPED_CAPABILITY CONCLAB_THREAD_ANNOTATION(scoped_lockable)
// This field may only be read or written while holding `mu`.
#define CONCLAB_GUARDED_BY(mu) CONCLAB_THREAD_ANNOTATION(guarded_by(mu))
// The object this pointer points to may only be touched while holding `mu`.
#define CONCLAB_PT_GUARDED_BY(mu) CONCLAB_THREAD_ANNOTATION(pt_guarded_by(mu))
// Lock order: this mutex is taken before / after the listed ones.
#define CONCLAB_ACQUIRED_BEFORE(...) CONCLAB_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define CONCLAB_ACQUIRED_AFTER(...) CONCLAB_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// The caller must hold (or must not hold) the listed mutexes.
#define CONCLAB_REQUIRES(...) CONCLAB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define CONCLAB_EXCLUDES(...) CONCLAB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// This function takes / releases / tries to take the listed mutexes (or `this`).
#define CONCLAB_ACQUIRE(...) CONCLAB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define CONCLAB_RELEASE(...) CONCLAB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define CONCLAB_TRY_ACQUIRE(...) CONCLAB_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define CONCLAB_RETURN_CAPABILITY(x) CONCLAB_THREAD_ANNOTATION(lock_returned(x))
// Opt a function out of the analysis; say why beside it.
#define CONCLAB_NO_THREAD_SAFETY_ANALYSIS CONCLAB_THREAD_ANNOTATION(no_thread_safety_analysis)
