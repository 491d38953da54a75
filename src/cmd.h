/* cmd.h: the commands; each takes its own argv (argv[0] is the command's name) and returns the exit status. */
#ifndef MOESTAT_CMD_H
#define MOESTAT_CMD_H

struct cli_common;
struct state;

int cmd_compare(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_dead(int argc, char **argv);
int cmd_maxvio(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_pairs(int argc, char **argv);
int cmd_place(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_summarize(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* The reports of the commands whose state can be saved: what the command prints
 * for the finished state s, with c's output options (-o, --json, --format);
 * the exit status (EXIT_PREDICATE from dead --fail). */
int cmd_dead_report(const struct state *s, const struct cli_common *c);
int cmd_maxvio_report(const struct state *s, const struct cli_common *c);
int cmd_summarize_report(const struct state *s, const struct cli_common *c);

#endif
