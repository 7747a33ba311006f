/**
 * Named bits and fixed-point constants. This is the only file where hex appears:
 * box code says `TRUN_DATA_OFFSET_PRESENT`, not `0x1`.
 */

// tfhd flags (ISO/IEC 14496-12 8.8.7)
export const TFHD_BASE_DATA_OFFSET_PRESENT = 0x000001;
export const TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT = 0x000002;
export const TFHD_DEFAULT_SAMPLE_DURATION_PRESENT = 0x000008;
export const TFHD_DEFAULT_SAMPLE_SIZE_PRESENT = 0x000010;
export const TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT = 0x000020;
export const TFHD_DURATION_IS_EMPTY = 0x010000;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

// trun flags (8.8.8)
export const TRUN_DATA_OFFSET_PRESENT = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS_PRESENT = 0x000004;
export const TRUN_SAMPLE_DURATION_PRESENT = 0x000100;
export const TRUN_SAMPLE_SIZE_PRESENT = 0x000200;
export const TRUN_SAMPLE_FLAGS_PRESENT = 0x000400;
export const TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT = 0x000800;

// sample flags (8.8.3.1): sample_depends_on sits in bits 24-25, the non-sync bit is bit 16.
export const SAMPLE_DEPENDS_ON_OTHERS = 0x01000000;
export const SAMPLE_DEPENDS_ON_NO_OTHER = 0x02000000;
export const SAMPLE_IS_NON_SYNC = 0x00010000;
/** What a keyframe carries in trun. */
export const SAMPLE_FLAGS_SYNC = SAMPLE_DEPENDS_ON_NO_OTHER;
/** What every other frame carries in trun. */
export const SAMPLE_FLAGS_NON_SYNC = SAMPLE_DEPENDS_ON_OTHERS | SAMPLE_IS_NON_SYNC;

// tkhd flags (8.3.2)
export const TKHD_TRACK_ENABLED = 0x000001;
export const TKHD_TRACK_IN_MOVIE = 0x000002;

// vmhd must carry flags = 1 (8.4.5.2); a dref 'url ' entry with flag 1 means "data is in this file".
export const VMHD_FLAGS = 0x000001;
export const DREF_URL_SELF_CONTAINED = 0x000001;

// Fixed-point ones: 16.16 (rate, width, height, sample rate), 8.8 (volume), 2.30 (matrix w).
export const FIXED_16_16_ONE = 0x00010000;
export const FIXED_8_8_ONE = 0x0100;
export const FIXED_2_30_ONE = 0x40000000;
/** 72 dpi in 16.16, what every visual sample entry declares. */
export const RESOLUTION_72_DPI = 0x00480000;
/** Visual sample entry depth: colour with no alpha. */
export const VISUAL_DEPTH_24 = 0x0018;
/** `und` packed as three 5-bit letters (ISO 639-2/T, each minus 0x60). */
export const LANGUAGE_UNDETERMINED = 0x55c4;

// avcC / hvcC reserved bits that must be set to one around the small fields.
export const RESERVED_HIGH_6 = 0xfc;
export const RESERVED_HIGH_5 = 0xf8;
export const RESERVED_HIGH_3 = 0xe0;
export const RESERVED_HIGH_4_OF_16 = 0xf000;
/** lengthSizeMinusOne = 3: every NAL unit is prefixed with a 4-byte length. */
export const NAL_LENGTH_SIZE_MINUS_ONE = 3;
/** hvcC array header: array_completeness = 1 (all NAL units of this type are in the array). */
export const HVCC_ARRAY_COMPLETE = 0x80;
export const HVCC_NAL_TYPE_MASK = 0x3f;

// MPEG-4 systems descriptors inside esds (ISO/IEC 14496-1 7.2.6).
export const ES_DESCRIPTOR_TAG = 0x03;
export const DECODER_CONFIG_DESCRIPTOR_TAG = 0x04;
export const DECODER_SPECIFIC_INFO_TAG = 0x05;
export const SL_CONFIG_DESCRIPTOR_TAG = 0x06;
/** objectTypeIndication for MPEG-4 Audio (ISO/IEC 14496-3). */
export const OBJECT_TYPE_MPEG4_AUDIO = 0x40;
/** streamType 5 (audio) << 2 | upStream 0 | reserved 1. */
export const STREAM_TYPE_AUDIO = 0x15;
/** SLConfigDescriptor predefined = 2: reserved for MP4 files. */
export const SL_PREDEFINED_MP4 = 0x02;
/** Descriptor sizes are 7 bits per byte; the high bit says another byte follows. */
export const DESCRIPTOR_SIZE_CONTINUES = 0x80;
export const DESCRIPTOR_SIZE_BITS = 0x7f;

// iTunes metadata `data` box type indicator: UTF-8 text.
export const ITUNES_DATA_UTF8 = 0x000001;

// H.264 / H.265 NAL header fields.
export const AVC_NAL_TYPE_MASK = 0x1f;
export const HEVC_NAL_TYPE_MASK = 0x7e;

/** Largest u32 value: a box bigger than this needs a 64-bit largesize. */
export const U32_MAX = 0xffffffff;

// ES_Descriptor flags: each adds a field before the nested descriptors.
export const ES_STREAM_DEPENDENCE_FLAG = 0x80;
export const ES_URL_FLAG = 0x40;
export const ES_OCR_STREAM_FLAG = 0x20;

// Edit lists (8.6.6): an empty edit has media_time −1; media_rate 1.0 is integer 1, fraction 0.
export const ELST_EMPTY_MEDIA_TIME = -1;
export const ELST_MEDIA_RATE_ONE = 1;
/** Largest i32: a media_time past it needs elst version 1. */
export const I32_MAX = 0x7fffffff;
/** Nero chapter times are in 100 ns units. */
export const CHPL_TICKS_PER_US = 10;
/** chpl counts chapters and title bytes in one byte each. */
export const CHPL_MAX_ENTRIES = 0xff;
/** UTF-8 continuation bytes are 10xxxxxx. */
export const UTF8_CONTINUATION_MASK = 0xc0;
export const UTF8_CONTINUATION_BITS = 0x80;
