/* cmd.h: the commands; each takes its own argv (argv[0] is the command's name) and returns the exit status. */
#ifndef MOESTAT_CMD_H
#define MOESTAT_CMD_H

int cmd_compare(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_dead(int argc, char **argv);
int cmd_maxvio(int argc, char **argv);
int cmd_pairs(int argc, char **argv);
int cmd_place(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_summarize(int argc, char **argv);

#endif
