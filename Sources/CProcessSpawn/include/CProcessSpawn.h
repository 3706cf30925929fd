// GNU extensions of posix_spawn that Swift's Glibc module does not expose (they need _GNU_SOURCE).
#ifndef BIFROST_CPROCESSSPAWN_H
#define BIFROST_CPROCESSSPAWN_H

#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): a pipe whose ends are not inherited by programs started later.
int bifrost_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `lowest` up.
int bifrost_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// The POSIX_SPAWN_SETSID flag: the child starts a session of its own.
short bifrost_spawn_setsid_flag(void);

#endif
