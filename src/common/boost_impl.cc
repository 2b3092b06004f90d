// Compiles the header-only implementations of Boost.JSON and Boost.URL into the core library
// once, so no Boost shared library is needed (and sanitizer/fuzzer builds instrument them too).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
