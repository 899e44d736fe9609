/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Guest Services wire format, shared by the guest library and kvmrtd. Plain C and libc
 * only: the guest side links it statically.
 *
 * A frame is a 16-byte header and up to KVMRT_GS_MAX_PAYLOAD bytes of payload, little endian:
 *
 *   0  u8  0xFF        sync byte: after garbage the decoder skips to the next one
 *   1  u8  'G'         magic
 *   2  u8  version     KVMRT_GS_PROTOCOL_VERSION
 *   3  u8  type        KvmrtGsFrameType
 *   4  u16 length      payload bytes
 *   6  u16 vcpu        the guest CPU the call ran on (0xFFFF: unknown)
 *   8  u32 seq         request number; a reply carries its request's
 *  12  u32 crc         CRC-32 (IEEE) of bytes 0-11 and the payload
 *
 * Whatever arrives is hostile until the decoder accepted it: a header with a bad magic,
 * version, type or length, or a frame whose CRC does not match, costs one byte of resync,
 * and the decoder's buffer never grows beyond one largest frame. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KVMRT_GS_PROTOCOL_VERSION 1
#define KVMRT_GS_HEADER_SIZE      16
#define KVMRT_GS_MAX_PAYLOAD      2048
#define KVMRT_GS_MAX_FRAME        (KVMRT_GS_HEADER_SIZE + KVMRT_GS_MAX_PAYLOAD)
#define KVMRT_GS_VCPU_UNKNOWN     0xFFFF
/* The most bytes of a message or data block the host logs; the rest is cut off. */
#define KVMRT_GS_MAX_LOGGED       1024
#define KVMRT_GS_CHANNEL_NAME     "org.kvmrt.gs.0"

typedef enum {
  KVMRT_GS_FRAME_HELLO    = 1,    /* no payload; the reply says what the host offers */
  KVMRT_GS_FRAME_PING     = 2,    /* u64 cookie */
  KVMRT_GS_FRAME_LOG_MSG  = 3,    /* text, not NUL-terminated */
  KVMRT_GS_FRAME_FLUSH    = 4,    /* u32 scope */
  KVMRT_GS_FRAME_LOG_DATA = 5,    /* bytes */
  KVMRT_GS_FRAME_REPLY    = 0x80, /* u32 status (0 or an errno value), u32 value */
} KvmrtGsFrameType;

/* What a HELLO reply's value holds: one bit per function the host serves. */
enum {
  KVMRT_GS_CAP_PING     = 1 << 0,
  KVMRT_GS_CAP_LOG_MSG  = 1 << 1,
  KVMRT_GS_CAP_FLUSH    = 1 << 2,
  KVMRT_GS_CAP_LOG_DATA = 1 << 3,
};

typedef struct {
  uint8_t        type;
  uint16_t       length;
  uint16_t       vcpu;
  uint32_t       seq;
  const uint8_t *payload;   /* inside the decoder's buffer: valid until its next call */
} KvmrtGsFrame;

typedef struct {
  uint8_t  buffer[KVMRT_GS_MAX_FRAME];
  size_t   used;
  size_t   pending;         /* bytes of the frame last returned, dropped at the next call */
  /* Counters of what was thrown away (never reset by the decoder). */
  uint64_t frames;          /* good frames returned */
  uint64_t malformed;       /* resynchronisations: runs of bytes that were not a frame */
  uint64_t garbage_bytes;   /* bytes skipped by them */
  int      in_garbage;      /* inside such a run */
} KvmrtGsDecoder;

uint32_t kvmrt_gs_crc32          (uint32_t crc, const void *data, size_t length);

/* Writes a frame into @out (at least KVMRT_GS_HEADER_SIZE + @length bytes); returns its size,
 * or 0 when @length exceeds KVMRT_GS_MAX_PAYLOAD. */
size_t   kvmrt_gs_frame_encode   (uint8_t       *out,
                                  uint8_t        type,
                                  uint16_t       vcpu,
                                  uint32_t       seq,
                                  const void    *payload,
                                  size_t         length);

void     kvmrt_gs_decoder_init   (KvmrtGsDecoder *decoder);
/* Room left for kvmrt_gs_decoder_push(): read at most this much from the transport. */
size_t   kvmrt_gs_decoder_space  (const KvmrtGsDecoder *decoder);
/* Appends up to kvmrt_gs_decoder_space() bytes; returns how many were taken. */
size_t   kvmrt_gs_decoder_push   (KvmrtGsDecoder *decoder,
                                  const void     *data,
                                  size_t          length);
/* The next good frame (1), or 0 when the buffered bytes do not hold one yet. */
int      kvmrt_gs_decoder_next   (KvmrtGsDecoder *decoder,
                                  KvmrtGsFrame   *frame);

/* Little-endian helpers for payloads. */
void     kvmrt_gs_put_u32        (uint8_t *out, uint32_t value);
void     kvmrt_gs_put_u64        (uint8_t *out, uint64_t value);
uint32_t kvmrt_gs_get_u32        (const uint8_t *in);
uint64_t kvmrt_gs_get_u64        (const uint8_t *in);
