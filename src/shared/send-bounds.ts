/**
 * The `send` command's bounds, which the Send form also says at each field. Kept apart from
 * commands.ts so the renderer can read them without bundling zod (whose eval probe the UI's
 * Content-Security-Policy reports as a violation).
 */
export const SEND_TTL_SECONDS_MAX = 2 ** 31;
/** RFC 8030 §5.4: a topic is at most 32 characters of the URL- and filename-safe base64 alphabet. */
export const SEND_TOPIC_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** The most text one aes128gcm record carries (4096 − 86 header − 16 tag − 1 delimiter). */
export const SEND_TEXT_CHARS_MAX = 3993;
