// Which sanitizer a translation unit is compiled with, the same way under GCC and clang: GCC defines
// __SANITIZE_THREAD__, clang answers __has_feature(thread_sanitizer) instead.
//
//   #if CONCLAB_TSAN
//     GTEST_SKIP() << "why this test cannot run under ThreadSanitizer";
//   #endif
#pragma once

#if defined(CONCLAB_SIM)
#define CONCLAB_TSAN 0  // the sim tree's instrumentation answers to the explorer, not to ThreadSanitizer
#elif defined(__SANITIZE_THREAD__)
#define CONCLAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CONCLAB_TSAN 1
#endif
#endif
#ifndef CONCLAB_TSAN
#define CONCLAB_TSAN 0
#endif
