/* A whole WebSocket message as it passes between layers; the data is borrowed.
 */
#ifndef WSX_UTIL_MSG_H
#define WSX_UTIL_MSG_H

#include <stddef.h>

enum wsx_msg_type {
	WSX_MSG_TEXT,
	WSX_MSG_BINARY,
};

struct wsx_msg {
	enum wsx_msg_type type;
	const unsigned char *data;
	size_t len;
};

#endif
