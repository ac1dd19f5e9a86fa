/* msg.h — every message the program prints to stderr goes through here:
 * "fairaudit: error: ...", lowercase, the problem first. Only the CLI
 * layer (main.c, cmd_*.c) calls these.
 */
#ifndef FA_MSG_H
#define FA_MSG_H

void fa_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fa_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note: silent under --quiet. */
void fa_notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fa_msg_set_quiet(int quiet);

/* The subcommand being run, for "Try 'fairaudit CMD --help'". */
void fa_msg_set_command(const char *name);
const char *fa_msg_command(void);
int fa_msg_quiet(void);

#endif /* FA_MSG_H */
