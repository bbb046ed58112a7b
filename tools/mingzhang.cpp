// mingzhang: the command-line tool for operators, auditors, regulators and owners' committees.
// This file only dispatches; each command lives in its own cmd_*.cpp (see `mingzhang help`).
//
// Exit status: 0 when the command did what it says (verify: everything holds), 1 when it found a
// problem (verification failed, a write was refused), 2 for usage, input and I/O errors.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

const std::vector<const Command*>& Commands() {
  static const std::vector<const Command*> commands = {
      &InitCommand(),   &KeygenCommand(), &VerifyCommand(), &CheckpointCommand(),      &TokenCommand(),
      &ImportCommand(), &ExportCommand(), &AuditCommand(),  &VerifyStatementCommand(), &DemoCommand(),
      &VoucherCommand(),
  };
  return commands;
}

void PrintUsage(std::ostream& out) {
  out << "usage: mingzhang <command> [options]\n";
  for (const Command* c : Commands()) out << c->usage;
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    PrintUsage(std::cout);
    return kExitOk;
  }
  for (const Command* command : Commands()) {
    if (name != command->name) continue;
    std::vector<std::string> rest(argv + 2, argv + argc);
    Result<Args> args = Args::Parse(rest, command->valued, command->switches, command->repeated);
    if (!args.ok()) {
      std::cerr << "mingzhang " << name << ": " << args.status().message() << "\nusage:\n" << command->usage;
      return kExitUsage;
    }
    try {
      return command->run(*args);
    } catch (const std::exception& e) {  // a bug, or input no check foresaw: say so, never crash
      std::cerr << "mingzhang " << name << ": unexpected error: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  std::cerr << "mingzhang: unknown command " << name << "\n";
  PrintUsage(std::cerr);
  return kExitUsage;
}

}  // namespace
}  // namespace mingzhang::cli

int main(int argc, char** argv) { return mingzhang::cli::Run(argc, argv); }
