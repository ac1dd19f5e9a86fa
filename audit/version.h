/* version.h — the program's version. */
#ifndef FA_VERSION_H
#define FA_VERSION_H

#define FA_VERSION "0.1.0"

#endif /* FA_VERSION_H */
