// feedbridge's entry point: hands argv, the environment and the standard streams to app::Run.

#include <unistd.h>

#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/exit_codes.h"

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    std::map<std::string, std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      const size_t equals = text.find('=');
      if (equals != std::string::npos)
        environment[text.substr(0, equals)] = text.substr(equals + 1);
    }
    feedbridge::app::Io io{std::cin, std::cout, std::cerr};
    return feedbridge::app::Run(args, environment, io);
  } catch (const std::exception& e) {
    // The top of the only thread: nothing above us would report it.
    std::cerr << "feedbridge: internal error: " << e.what() << "\n";
    return feedbridge::app::kExitSoftware;
  }
}
