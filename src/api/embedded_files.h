// Files compiled into the binary (see cmake/embed_files.cmake).
#pragma once

#include <cstddef>

namespace motcua {

struct EmbeddedFile {
  const char* path;  // "/index.html"; nullptr ends the table
  const unsigned char* data;
  size_t size;
};

// The files of web/ (served at /) and of data/ (the bundled seed data).
extern const EmbeddedFile kEmbeddedFiles[];
extern const EmbeddedFile kEmbeddedData[];

// The embedded data file at `path` (e.g. "/procedures.json"), or nullptr.
const EmbeddedFile* FindEmbeddedData(const char* path);

}  // namespace motcua
