// The facts of labs that the build and the scripts need, from the one reader of lab.toml (model/lab.hpp):
// as JSON for scripts (`conclab maint labs --json`), and as CMake calls for a build tree (`conclab maint labs
// --cmake default|tsan`; cmake/ConclabLabs.cmake defines conclab_lab() and conclab_impl()).
//
// What a build tree holds is decided here, not in CMake: which implementations get a target, which get a
// contract test (a claim about them in this tree), and what each target is called.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/build.hpp"
#include "model/lab.hpp"

namespace conclab {

std::string lab_facts_json(const std::filesystem::path& root, const std::vector<Lab>& labs);
std::string lab_facts_cmake(const std::vector<Lab>& labs, BuildKind kind);

// Does the tree of `kind` have a target for `who` (the learner, a reference or a wrong variant)? The TSan tree
// holds only what its claims need; `conclab check --against` skips a tree that does not hold the variant.
bool tree_holds(const Lab& lab, const std::string& who, BuildKind kind);

}  // namespace conclab
