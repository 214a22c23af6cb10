#pragma once
// Hostile fixture: compiles the course's own final solution in place of an answer.
#include "@COURSE@/solutions/99-fixture/01-counter/final/counter.hpp"
