/* jsonl.h: for tests only: the JSON Lines parser's two paths, the scanner and jansson, chosen and watched. */
#ifndef MOESTAT_JSONL_H
#define MOESTAT_JSONL_H

#include <stdbool.h>

/* Whether the parsers opened from now on try the scanner on each line before
 * jansson (the default), or hand every line to jansson. */
void jsonl_set_scanner(bool on);

/* The lines a parser has taken through the scanner, and through jansson;
 * blank lines and lines too long count in neither. */
unsigned long jsonl_scanned_lines(const void *parser);
unsigned long jsonl_jansson_lines(const void *parser);

#endif
