// Graded tests for lab 01.07, the promise pipe: a worker thread hands each job's value, or its exception,
// back to the caller.
//
// Jobs that must still be running while the test looks at their Result wait on a Gate the test opens;
// latches tell the test when a job has started. No sleeps, no timing: every run takes the same path.
//
// An exception that leaves the worker thread's function ends the program (std::terminate) before any assertion
// can report it, so this file installs a terminate handler that says what was thrown and what it means.
#include <promise_pipe.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <latch>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/07-futures-and-async.md)";

// Called by std::terminate: names the exception that was in flight (usually one that left the worker thread's
// function, where nothing can catch it) and what the lab expects instead, then aborts as the default would.
[[noreturn]] void explain_terminate() {
  std::string what = "no exception was in flight (std::terminate was called directly, or a thread was destroyed "
                     "while joinable)";
  if (const std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::future_error& f) {
      what = std::string(f.what()) +
             (f.code() == std::make_error_code(std::future_errc::promise_already_satisfied)
                  ? ". A promise was fulfilled twice: each path out of the job must call set_value OR set_exception, "
                    "exactly once (set_value inside the try, set_exception in the catch, nothing after)"
                  : "");
    } catch (const std::exception& x) {
      what = std::string("an exception derived from std::exception: ") + x.what();
    } catch (...) {
      what = "an exception of a type NOT derived from std::exception (a `catch (const std::exception&)` does not "
             "catch it; `catch (...)` does, and std::current_exception() carries any type)";
    }
  }
  std::fprintf(stderr,
               "\n*** std::terminate: %s.\n*** An exception that leaves a thread's function ends the whole program. "
               "The worker must catch everything a job throws (catch (...)) and hand it to the caller through the "
               "pipe (promise::set_exception(std::current_exception()), or let std::packaged_task do it)%s\n",
               what.c_str(), kLesson);
  std::fflush(stderr);
  std::abort();
}
[[maybe_unused]] const std::terminate_handler kPreviousTerminate = std::set_terminate(explain_terminate);

// A gate jobs can wait on. open() may be called more than once; only the first call counts.
class Gate {
 public:
  void open() {
    if (!opened_.exchange(true)) latch_.count_down();
  }
  void wait() const { latch_.wait(); }

 private:
  conclab::sync::atomic<bool> opened_{false};
  mutable conclab::sync::latch latch_{1};
};

// Opens a Gate when the scope ends, also when an ASSERT returns early. Declare it after the Worker: it then
// runs before the Worker's destructor, which would otherwise wait forever for a job blocked on the gate.
class OpenOnExit {
 public:
  explicit OpenOnExit(Gate& gate) : gate_(gate) {}
  ~OpenOnExit() { gate_.open(); }
  OpenOnExit(const OpenOnExit&) = delete;
  OpenOnExit& operator=(const OpenOnExit&) = delete;

 private:
  Gate& gate_;
};

// An exception type of our own: the caller must get this type back, not just "some exception".
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(PromisePipeTest, ValueArrives) {
  lab::Worker worker;
  auto number = worker.submit([] { return 6 * 7; });
  auto text = worker.submit([] { return std::string("forty-two"); });
  EXPECT_EQ(number.get(), 42) << "get() must return the value the job returned on the worker thread" << kLesson;
  EXPECT_EQ(text.get(), "forty-two") << "get() must return the value the job returned, for any type" << kLesson;
}

TEST(PromisePipeTest, ReadyOnlyAfterTheJobReturns) {
  Gate gate;
  conclab::sync::latch started(1);
  lab::Worker worker;
  OpenOnExit open_on_exit(gate);

  auto result = worker.submit([&] {
    started.count_down();
    gate.wait();
    return 7;
  });
  started.wait();
  EXPECT_FALSE(result.ready())
      << "the job is still running (it waits on a gate the test has not opened), so ready() must be false: "
         "there is no value yet" << kLesson;
  gate.open();
  EXPECT_EQ(result.get(), 7) << "get() must wait until the job returns, then return its value" << kLesson;
}

// Waits until the worker has run, and let go of, every job submitted before: it runs them in order and
// destroys each one before it starts the next.
void WaitForEarlierJobs(lab::Worker& worker) { (void)worker.submit([] { return 0; }).get(); }

TEST(PromisePipeTest, ExceptionReachesTheCaller) {
  lab::Worker worker;
  auto result = worker.submit([]() -> int { throw ParseError("line 3: expected ';'"); });
  // The exception object is shared by the worker's end of the pipe and the caller, and freed by whichever
  // lets go last. Its reference count lives in the uninstrumented C++ runtime, so ThreadSanitizer would
  // report a false race if the worker freed it after this thread read it. Keeping a reference until the
  // worker has let go of its end makes this thread the last owner.
  std::exception_ptr keep;
  try {
    const int value = result.get();
    ADD_FAILURE() << "the job threw ParseError, but get() returned " << value
                  << " as if the job had succeeded: the error was lost on its way from the worker thread. Catch "
                     "it there and send it through the pipe (std::current_exception(), promise::set_exception), "
                     "or let std::packaged_task do it" << kLesson;
  } catch (const ParseError& e) {
    keep = std::current_exception();
    EXPECT_STREQ(e.what(), "line 3: expected ';'")
        << "get() rethrew a ParseError, but not the one the job threw: its message changed" << kLesson;
  } catch (const std::future_error& e) {
    keep = std::current_exception();
    ADD_FAILURE() << "the job threw ParseError(\"line 3: expected ';'\"), but get() threw std::future_error ("
                  << e.code().message() << "). broken_promise means the promise was destroyed unfulfilled: the "
                  << "job's exception path never handed the exception over. In the catch block, call "
                     "set_exception(std::current_exception()); every path out of the job must fulfil the promise"
                  << kLesson;
  } catch (const std::exception& e) {
    keep = std::current_exception();
    ADD_FAILURE() << "the job threw ParseError(\"line 3: expected ';'\"), but get() threw a different exception "
                     "(what(): \"" << e.what() << "\"). The caller must get the job's own exception, with its "
                     "type: carry it as a std::exception_ptr (std::current_exception()) and rethrow that" << kLesson;
  }
  WaitForEarlierJobs(worker);
}

TEST(PromisePipeTest, WorkerSurvivesAThrowingJob) {
  lab::Worker worker;
  auto bad = worker.submit([]() -> int { throw std::runtime_error("disk full"); });
  auto good = worker.submit([] { return 2; });
  EXPECT_EQ(good.get(), 2) << "a job that throws must not take the worker thread down: the next job must "
                              "still run and deliver its value" << kLesson;
  EXPECT_THROW(bad.get(), std::runtime_error)
      << "the first job threw std::runtime_error(\"disk full\"); its caller's get() must rethrow it instead "
         "of returning a value" << kLesson;
}

// Not derived from std::exception: C++ can throw any type, and a worker must pass it on like any other.
struct Timeout {
  int after_ms;
};

TEST(PromisePipeTest, NonStdExceptionReachesTheCaller) {
  lab::Worker worker;
  auto result = worker.submit([]() -> int { throw Timeout{250}; });
  std::exception_ptr keep;  // see ExceptionReachesTheCaller: this thread must be the exception's last owner
  try {
    const int value = result.get();
    ADD_FAILURE() << "the job threw a Timeout, but get() returned " << value << " as if it had succeeded" << kLesson;
  } catch (const Timeout& t) {
    keep = std::current_exception();
    EXPECT_EQ(t.after_ms, 250) << "get() rethrew a Timeout, but not the one the job threw" << kLesson;
  } catch (const std::future_error& e) {
    keep = std::current_exception();
    ADD_FAILURE() << "the job threw a Timeout (a struct not derived from std::exception), but get() threw "
                     "std::future_error ("
                  << e.code().message() << "): the promise was never given the exception. Catch with "
                  << "`catch (...)` and call set_exception(std::current_exception())" << kLesson;
  } catch (...) {
    keep = std::current_exception();
    ADD_FAILURE() << "the job threw a Timeout, but get() threw something else: the caller must get the job's own "
                     "exception, whatever its type (std::current_exception() in a catch (...))"
                  << kLesson;
  }
  WaitForEarlierJobs(worker);  // a worker that let the Timeout escape has ended the program by now
}

TEST(PromisePipeTest, SideEffectsVisibleAfterGet) {
  lab::Worker worker;
  // Plain, unsynchronised variables: only the job touches them until get() returns. That is safe only if
  // the hand-off orders "the job's writes" before "the caller's reads after get()" (happens-before).
  std::vector<int> log;
  std::string summary;
  auto result = worker.submit([&] {
    for (int i = 0; i < 1000; ++i) log.push_back(i);
    summary = "done";
    return static_cast<int>(log.size());
  });
  const int count = result.get();
  EXPECT_EQ(count, 1000) << "get() must return the job's value" << kLesson;
  ASSERT_EQ(log.size(), 1000u) << "after get() the caller must see everything the job wrote before returning"
                               << kLesson;
  EXPECT_EQ(log.back(), 999) << "after get() the caller must see the job's writes, in full" << kLesson;
  EXPECT_EQ(summary, "done") << "after get() the caller must see the job's writes, in full. If this passes "
                                "but ThreadSanitizer reports a race here, the hand-off has no happens-before: "
                                "a plain flag is not enough" << kLesson;
}

TEST(PromisePipeTest, DiscardedJobReportsBrokenPromise) {
  Gate gate;
  conclab::sync::latch started(1);
  lab::Worker worker;
  OpenOnExit open_on_exit(gate);

  auto running = worker.submit([&] {
    started.count_down();
    gate.wait();
    return 1;
  });
  started.wait();  // the worker is busy with `running`, so the next job stays in the queue
  auto queued = worker.submit([] { return 2; });
  EXPECT_EQ(worker.discard_pending(), 1u) << "exactly one job was waiting in the queue" << kLesson;

  ASSERT_TRUE(queued.ready())
      << "the queued job was discarded and will never run, so its Result must be ready at once, holding "
         "std::future_error(broken_promise). Otherwise its caller waits forever for an answer that cannot come. "
         "A conclab::sync::promise (or std::packaged_task) destroyed before it delivered a value does exactly this"
      << kLesson;
  try {
    const int value = queued.get();
    ADD_FAILURE() << "the discarded job never ran, but get() returned " << value
                  << "; it must throw std::future_error with code broken_promise" << kLesson;
  } catch (const std::future_error& e) {
    EXPECT_EQ(e.code(), std::make_error_code(std::future_errc::broken_promise))
        << "a job discarded before it ran must report broken_promise, not " << e.code().message() << kLesson;
  }

  gate.open();
  EXPECT_EQ(running.get(), 1) << "discard_pending() must not affect the job that was already running" << kLesson;
}

TEST(PromisePipeTest, DestructorRunsQueuedJobs) {
  Gate gate;
  conclab::sync::latch started(1);
  lab::Result<int> first;
  lab::Result<int> second;
  {
    lab::Worker worker;
    OpenOnExit open_on_exit(gate);
    first = worker.submit([&] {
      started.count_down();
      gate.wait();
      return 1;
    });
    started.wait();
    second = worker.submit([] { return 2; });
  }  // the gate opens, then ~Worker runs `second` and joins
  EXPECT_TRUE(second.ready()) << "~Worker() must run every job still queued before it joins, so a Result that "
                                 "outlives the Worker is ready" << kLesson;
  EXPECT_EQ(first.get(), 1) << "the job that was running when the Worker was destroyed must deliver its value"
                            << kLesson;
  EXPECT_EQ(second.get(), 2) << "the job that was queued when the Worker was destroyed must deliver its value"
                             << kLesson;
}

}  // namespace
