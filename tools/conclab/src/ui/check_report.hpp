// How a check of a lab is shown: the per-build test lists, the first compiler error, the verdict and what it
// means (check and watch print it; `check --json` gives the same as JSON).
#pragma once

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "engine/checker.hpp"

namespace conclab {

void print_check_report(const Context& ctx, const Lab& lab, const CheckReport& report, bool verbose);
nlohmann::json check_report_json(const Lab& lab, const CheckReport& report);
// The exit code of a check (README "Exit codes").
int exit_code_of(const CheckReport& report);

}  // namespace conclab
