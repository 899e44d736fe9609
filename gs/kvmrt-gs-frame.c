/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-gs-frame.h"

#include <string.h>

#define MAGIC_SYNC 0xFF
#define MAGIC_G    'G'

uint32_t
kvmrt_gs_crc32 (uint32_t crc, const void *data, size_t length)
{
  const uint8_t *p = data;

  crc = ~crc;
  for (size_t i = 0; i < length; i++)
    {
      crc ^= p[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

void
kvmrt_gs_put_u32 (uint8_t *out, uint32_t value)
{
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t) (value >> (8 * i));
}

void
kvmrt_gs_put_u64 (uint8_t *out, uint64_t value)
{
  for (int i = 0; i < 8; i++)
    out[i] = (uint8_t) (value >> (8 * i));
}

uint32_t
kvmrt_gs_get_u32 (const uint8_t *in)
{
  uint32_t value = 0;

  for (int i = 3; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

uint64_t
kvmrt_gs_get_u64 (const uint8_t *in)
{
  uint64_t value = 0;

  for (int i = 7; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

static uint16_t
get_u16 (const uint8_t *in)
{
  return (uint16_t) (in[0] | (in[1] << 8));
}

static void
put_u16 (uint8_t *out, uint16_t value)
{
  out[0] = (uint8_t) value;
  out[1] = (uint8_t) (value >> 8);
}

static uint32_t
frame_crc (const uint8_t *header, const uint8_t *payload, size_t length)
{
  return kvmrt_gs_crc32 (kvmrt_gs_crc32 (0, header, 12), payload, length);
}

size_t
kvmrt_gs_frame_encode (uint8_t *out, uint8_t type, uint16_t vcpu, uint32_t seq,
                       const void *payload, size_t length)
{
  if (length > KVMRT_GS_MAX_PAYLOAD)
    return 0;
  out[0] = MAGIC_SYNC;
  out[1] = MAGIC_G;
  out[2] = KVMRT_GS_PROTOCOL_VERSION;
  out[3] = type;
  put_u16 (out + 4, (uint16_t) length);
  put_u16 (out + 6, vcpu);
  kvmrt_gs_put_u32 (out + 8, seq);
  if (length > 0)
    memmove (out + KVMRT_GS_HEADER_SIZE, payload, length);
  kvmrt_gs_put_u32 (out + 12, frame_crc (out, out + KVMRT_GS_HEADER_SIZE, length));
  return KVMRT_GS_HEADER_SIZE + length;
}

void
kvmrt_gs_decoder_init (KvmrtGsDecoder *decoder)
{
  memset (decoder, 0, sizeof *decoder);
}

size_t
kvmrt_gs_decoder_space (const KvmrtGsDecoder *decoder)
{
  return sizeof decoder->buffer - decoder->used + decoder->pending;
}

static void
consume (KvmrtGsDecoder *decoder, size_t n)
{
  memmove (decoder->buffer, decoder->buffer + n, decoder->used - n);
  decoder->used -= n;
}

/* Drops the frame handed out last. */
static void
settle (KvmrtGsDecoder *decoder)
{
  if (decoder->pending > 0)
    consume (decoder, decoder->pending);
  decoder->pending = 0;
}

size_t
kvmrt_gs_decoder_push (KvmrtGsDecoder *decoder, const void *data, size_t length)
{
  size_t n;

  settle (decoder);
  n = kvmrt_gs_decoder_space (decoder);

  if (length < n)
    n = length;
  memcpy (decoder->buffer + decoder->used, data, n);
  decoder->used += n;
  return n;
}

/* Drops @n bytes that were not (the start of) a frame; a run of them counts once. */
static void
skip_garbage (KvmrtGsDecoder *decoder, size_t n)
{
  if (!decoder->in_garbage)
    decoder->malformed++;
  decoder->in_garbage = 1;
  decoder->garbage_bytes += n;
  consume (decoder, n);
}

static int
known_type (uint8_t type)
{
  return (type >= KVMRT_GS_FRAME_HELLO && type <= KVMRT_GS_FRAME_LOG_DATA)
         || type == KVMRT_GS_FRAME_REPLY;
}

int
kvmrt_gs_decoder_next (KvmrtGsDecoder *decoder, KvmrtGsFrame *frame)
{
  settle (decoder);
  for (;;)
    {
      const uint8_t *b = decoder->buffer;
      const uint8_t *sync;
      uint16_t length;

      if (decoder->used == 0)
        return 0;
      if (b[0] != MAGIC_SYNC)
        {
          sync = memchr (b, MAGIC_SYNC, decoder->used);
          skip_garbage (decoder, sync != NULL ? (size_t) (sync - b) : decoder->used);
          continue;
        }
      if (decoder->used >= 2 && b[1] != MAGIC_G)
        {
          skip_garbage (decoder, 1);
          continue;
        }
      if (decoder->used < KVMRT_GS_HEADER_SIZE)
        return 0;
      length = get_u16 (b + 4);
      if (b[2] != KVMRT_GS_PROTOCOL_VERSION || !known_type (b[3])
          || length > KVMRT_GS_MAX_PAYLOAD)
        {
          skip_garbage (decoder, 1);
          continue;
        }
      if (decoder->used < KVMRT_GS_HEADER_SIZE + (size_t) length)
        return 0;
      if (kvmrt_gs_get_u32 (b + 12) != frame_crc (b, b + KVMRT_GS_HEADER_SIZE, length))
        {
          skip_garbage (decoder, 1);
          continue;
        }
      /* The frame stays at the buffer's start until the next call consumes it. */
      frame->type = b[3];
      frame->length = length;
      frame->vcpu = get_u16 (b + 6);
      frame->seq = kvmrt_gs_get_u32 (b + 8);
      frame->payload = b + KVMRT_GS_HEADER_SIZE;
      decoder->frames++;
      decoder->in_garbage = 0;
      decoder->pending = KVMRT_GS_HEADER_SIZE + length;
      return 1;
    }
}
