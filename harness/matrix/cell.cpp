#include "cell.hpp"

namespace bgw::matrix {

Cell classify(const run::ScenarioResult& r) {
  switch (r.verdict) {
    case run::Verdict::pass:
      return r.should_failed() > 0 ? Cell::should : Cell::pass;
    case run::Verdict::fail:
      return Cell::fail;
    case run::Verdict::xfail:
      return Cell::xfail;
    case run::Verdict::xpass:
      return Cell::xpass;
    case run::Verdict::error:
      return Cell::error;
    case run::Verdict::skip:
      return Cell::skip;
  }
  return Cell::error;
}

const char* to_string(Cell c) {
  switch (c) {
    case Cell::pass:
      return "pass";
    case Cell::fail:
      return "fail";
    case Cell::should:
      return "should";
    case Cell::xfail:
      return "xfail";
    case Cell::xpass:
      return "xpass";
    case Cell::error:
      return "error";
    case Cell::skip:
      return "skip";
  }
  return "error";
}

const char* symbol(Cell c) {
  switch (c) {
    case Cell::pass:
      return "\u2713";  // check mark
    case Cell::fail:
      return "\u2717";  // ballot x
    case Cell::should:
      return "\u2248";  // almost equal
    case Cell::xfail:
      return "\u2691";  // flag: a known, recorded deviation
    case Cell::xpass:
      return "\u2049";  // exclamation question mark
    case Cell::error:
      return "\u26a0";  // warning sign
    case Cell::skip:
      return "\u2013";  // en dash
  }
  return "?";
}

const char* title(Cell c) {
  switch (c) {
    case Cell::pass:
      return "pass";
    case Cell::fail:
      return "MUST violated";
    case Cell::should:
      return "SHOULD deviation";
    case Cell::xfail:
      return "known deviation (xfail)";
    case Cell::xpass:
      return "deviation gone (xpass)";
    case Cell::error:
      return "harness error";
    case Cell::skip:
      return "skipped";
  }
  return "?";
}

const char* meaning(Cell c) {
  switch (c) {
    case Cell::pass:
      return "every check held";
    case Cell::fail:
      return "a MUST check failed, or the proxy crashed or hung";
    case Cell::should:
      return "every MUST check held, but a SHOULD check did not";
    case Cell::xfail:
      return "failed as the adapter's known deviation says it does (reason and link inside)";
    case Cell::xpass:
      return "a known deviation no longer happens: the adapter's list is out of date";
    case Cell::error:
      return "the harness or the setup broke; the proxy was not judged";
    case Cell::skip:
      return "not run: proxy not installed or not verified, a requirement unmet, or interrupted";
  }
  return "";
}

}  // namespace bgw::matrix
