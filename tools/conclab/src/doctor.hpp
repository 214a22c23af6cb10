// `conclab doctor`: is this machine ready for the course? Each problem comes with its fix.
#pragma once

#include "commands.hpp"

namespace conclab {

int cmd_doctor(const std::filesystem::path& root, bool json);

}  // namespace conclab
