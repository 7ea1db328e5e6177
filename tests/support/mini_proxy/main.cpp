// bgw-mini-proxy CONFIG_FILE: see mini_proxy.hpp. Exit 2 on an invalid config or usage.
#include <iostream>
#include <string>
#include <variant>

#include "mini_proxy.hpp"

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::cerr << "Usage: bgw-mini-proxy CONFIG_FILE\n"
                 "  listen = 127.0.0.1:PORT\n"
                 "  upstream = 127.0.0.1:PORT [backup]   (repeatable, tried in order)\n"
                 "  connect_timeout = 1s   read_timeout = 1s   client_timeout = 10s\n"
                 "  retries = N            (default: every server once)\n"
                 "  log = PATH             (optional access log)\n";
    return 2;
  }
  auto config = bgw::mini::load_config(argv[1]);
  if (auto* error = std::get_if<std::string>(&config)) {
    std::cerr << "bgw-mini-proxy: " << *error << std::endl;
    return 2;
  }
  return bgw::mini::run(std::get<bgw::mini::Config>(config));
}
