/* RawEngine's LibRaw shim: exposes, through a struct of our own, what LibRaw's C API lacks
 * (raw buffer and pitch, margins, per-channel black, X-Trans layout, camera and DNG matrices,
 * EXIF fields, the embedded thumbnail). C# binds to these functions only, never to LibRaw's
 * struct layouts, so any LibRaw version this compiles against works. C++ only to reach the
 * unpacker's data offset (through LibRaw's own accessor), to check in-memory files for truncation. */
#include <libraw/libraw.h>
#include <stdlib.h>
#include <string.h>

extern "C" {

#define RE_TEXT 128

typedef struct rawengine_handle {
    libraw_data_t *lr;
    void *buffer;          /* copy of an in-memory file; LibRaw reads it lazily */
    size_t buffer_size;
    int data_errors;       /* counted by LibRaw's data error callback (truncation, corruption) */
    int data_error_offset;
    volatile int cancel;   /* set from another thread; LibRaw's progress callback stops the work */
} rawengine_handle;

typedef struct rawengine_info {
    int raw_width, raw_height, raw_pitch_bytes;
    int top_margin, left_margin, width, height;
    int samples_per_pixel;    /* 1 CFA, 3 or 4 for linear data, 0 when no data */
    int filters;              /* 0 linear, 9 X-Trans, else Bayer bit pattern */
    int colors;
    int flip;
    int dng_version;
    unsigned black;
    unsigned cblack[4];
    unsigned black_pattern_rows, black_pattern_cols; /* repeating black offsets at the margins' origin */
    unsigned black_pattern[36];
    unsigned maximum;
    /* The DNG's own BlackLevel / WhiteLevel / AsShotNeutral as written, before LibRaw adjusts them. */
    unsigned dng_white, dng_black;
    unsigned dng_cblack[4 + 2 + 36];
    float dng_neutral[4];
    float cam_mul[4], pre_mul[4];
    float cam_xyz[4][3];
    float dng_matrix[2][3][3];
    int dng_illuminant[2];
    float baseline_exposure;
    float iso, shutter, aperture, focal_len;
    long long timestamp;
    double gps_lat, gps_lon, gps_alt;
    int gps_valid;
    char make[RE_TEXT], model[RE_TEXT], lens_make[RE_TEXT], lens[RE_TEXT], artist[RE_TEXT], description[512];
    /* The shape of what LibRaw hands over, beyond the CFA: its colour letters (e.g. "RGBG", "GMCY"),
     * pixel aspect, Fuji's 45-degree sensor width, Foveon, and its raw-colour matrix (used when no camera matrix exists). */
    char color_letters[8];
    double pixel_aspect;
    int fuji_width;
    int is_foveon;
    int raw_color;          /* LibRaw found no camera matrix and develops in raw colour */
    float rgb_cam[3][4];
    long long linear_max[4];
    /* Where the sensor data sits in the file and how long the file is, to tell a file cut short. */
    long long data_offset, data_size, file_size;
    char decoder[RE_TEXT];
} rawengine_info;

static void on_data_error(void *data, const char *file, const int offset)
{
    (void)file;
    rawengine_handle *h = (rawengine_handle *)data;
    if (h->data_errors++ == 0) h->data_error_offset = offset;
}

static void on_memory_error(void *data, const char *file, const char *where)
{
    (void)data; (void)file; (void)where; /* LibRaw returns an error code as well; keep stderr quiet */
}

static int on_progress(void *data, enum LibRaw_progress stage, int iteration, int expected)
{
    (void)stage; (void)iteration; (void)expected;
    return ((rawengine_handle *)data)->cancel;
}

static rawengine_handle *create(void)
{
    rawengine_handle *h = (rawengine_handle *)calloc(1, sizeof(rawengine_handle));
    if (!h) return NULL;
    h->lr = libraw_init(0);
    if (!h->lr) { free(h); return NULL; }
    libraw_set_dataerror_handler(h->lr, on_data_error, h);
    libraw_set_memerror_handler(h->lr, on_memory_error, h);
    libraw_set_progress_handler(h->lr, on_progress, h);
    /* DNG DefaultCrop becomes LibRaw's margins, so the visible area is what the camera maker intends. */
    h->lr->params.raw_processing_options |= LIBRAW_PROCESSING_USE_DNG_DEFAULT_CROP;
    return h;
}

void rawengine_close(rawengine_handle *h)
{
    if (!h) return;
    libraw_close(h->lr);
    free(h->buffer);
    free(h);
}

void rawengine_cancel(rawengine_handle *h) { h->cancel = 1; }

/* Lets the caller check that its view of rawengine_info matches this build. */
size_t rawengine_info_size(void) { return sizeof(rawengine_info); }

const char *rawengine_strerror(int code) { return libraw_strerror(code); }
const char *rawengine_libraw_version(void) { return libraw_version(); }

int rawengine_open_file(const char *path, rawengine_handle **out)
{
    *out = create();
    if (!*out) return LIBRAW_UNSUFFICIENT_MEMORY;
    return libraw_open_file((*out)->lr, path);
}

int rawengine_open_buffer(const void *data, size_t size, rawengine_handle **out)
{
    *out = create();
    if (!*out) return LIBRAW_UNSUFFICIENT_MEMORY;
    (*out)->buffer = malloc(size ? size : 1);
    if (!(*out)->buffer) return LIBRAW_UNSUFFICIENT_MEMORY;
    memcpy((*out)->buffer, data, size);
    (*out)->buffer_size = size;
    return libraw_open_buffer((*out)->lr, (*out)->buffer, size);
}

static const libraw_internal_data_t *internal_data(rawengine_handle *h)
{
    return ((LibRaw *)h->lr->parent_class)->get_internal_data_pointer();
}

static long long file_size(rawengine_handle *h)
{
    LibRaw_abstract_datastream *input = internal_data(h)->internal_data.input;
    return input ? (long long)input->size() : (long long)h->buffer_size;
}

/* The bytes the sensor data takes, where the file states it or an uncompressed layout implies it; 0 when unknown. */
static long long data_extent(rawengine_handle *h)
{
    const unpacker_data_t &unpacker = internal_data(h)->unpacker_data;
    /* Tiled data: LibRaw's offset and size describe the tile table, not the data's extent. */
    if (unpacker.tile_width > 0 && unpacker.tile_width < (unsigned)h->lr->sizes.raw_width) return 0;
    if (unpacker.data_size > 0) return unpacker.data_size;
    if (unpacker.tiff_compress == 1 && unpacker.tiff_bps == 16)
        return 2LL * h->lr->sizes.raw_width * h->lr->sizes.raw_height * (unpacker.tiff_samples ? unpacker.tiff_samples : 1);
    return 0;
}

/* LibRaw's readers count a partly read last sample as read, and several decoders fill a short file's
 * missing rows or columns silently, so a file cut inside its data would unpack; where the raw data's
 * extent is known, check that it fits in the file. */
static void check_extent(rawengine_handle *h)
{
    const long long offset = internal_data(h)->unpacker_data.data_offset, extent = data_extent(h), size = file_size(h);
    if (extent > 0 && offset >= 0 && offset + extent > size)
        on_data_error(h, NULL, (int)(size > 0x7fffffff ? 0x7fffffff : size));
}

int rawengine_unpack(rawengine_handle *h)
{
    int rc = libraw_unpack(h->lr);
    if (rc == LIBRAW_SUCCESS) check_extent(h);
    return rc;
}

/* Number of data errors LibRaw met while unpacking (short reads, corrupt streams), and the first offset. */
int rawengine_data_errors(rawengine_handle *h, int *first_offset)
{
    *first_offset = h->data_error_offset;
    return h->data_errors;
}

/* LibRaw's colour index (0 R, 1 G, 2 B, 3 second G) at visible-area coordinates. */
int rawengine_color_at(rawengine_handle *h, int row, int col) { return libraw_COLOR(h->lr, row, col); }

/* Copies a fixed-size LibRaw text field into ours; both sizes are known here, so neither is overrun. */
static void copy_text(char *dst, size_t dst_size, const char *src, size_t src_size)
{
    size_t cap = (dst_size < src_size ? dst_size : src_size) - 1;
    size_t n = strnlen(src, cap);
    memcpy(dst, src, n);
    dst[n] = 0;
}
#define COPY_TEXT(dst, src) copy_text(dst, sizeof(dst), src, sizeof(src))

static double dms_to_degrees(const float dms[3]) { return dms[0] + dms[1] / 60.0 + dms[2] / 3600.0; }

void rawengine_get_info(rawengine_handle *h, rawengine_info *info)
{
    libraw_data_t *d = h->lr;
    memset(info, 0, sizeof(*info));
    info->raw_width = d->sizes.raw_width;
    info->raw_height = d->sizes.raw_height;
    info->raw_pitch_bytes = (int)d->rawdata.sizes.raw_pitch;
    info->top_margin = d->sizes.top_margin;
    info->left_margin = d->sizes.left_margin;
    info->width = d->sizes.width;
    info->height = d->sizes.height;
    info->samples_per_pixel = d->rawdata.raw_image ? 1 : d->rawdata.color3_image ? 3 : d->rawdata.color4_image ? 4 : 0;
    info->filters = (int)d->idata.filters;
    info->colors = d->idata.colors;
    info->flip = d->sizes.flip;
    info->dng_version = (int)d->idata.dng_version;
    info->black = d->color.black;
    for (int i = 0; i < 4; i++) info->cblack[i] = d->color.cblack[i];
    info->black_pattern_rows = d->color.cblack[4];
    info->black_pattern_cols = d->color.cblack[5];
    if (info->black_pattern_rows * info->black_pattern_cols <= 36)
        for (unsigned i = 0; i < info->black_pattern_rows * info->black_pattern_cols; i++)
            info->black_pattern[i] = d->color.cblack[6 + i];
    else
        info->black_pattern_rows = info->black_pattern_cols = 0;
    info->maximum = d->color.maximum;
    info->dng_white = d->color.dng_levels.dng_whitelevel[0];
    info->dng_black = d->color.dng_levels.dng_black;
    for (int i = 0; i < 4 + 2 + 36; i++) info->dng_cblack[i] = d->color.dng_levels.dng_cblack[i];
    for (int i = 0; i < 4; i++) info->dng_neutral[i] = d->color.dng_levels.asshotneutral[i];
    for (int i = 0; i < 4; i++) { info->cam_mul[i] = d->color.cam_mul[i]; info->pre_mul[i] = d->color.pre_mul[i]; }
    memcpy(info->cam_xyz, d->color.cam_xyz, sizeof(info->cam_xyz));
    for (int m = 0; m < 2; m++) {
        info->dng_illuminant[m] = d->color.dng_color[m].illuminant;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) info->dng_matrix[m][r][c] = d->color.dng_color[m].colormatrix[r][c];
    }
    info->baseline_exposure = d->color.dng_levels.baseline_exposure;
    info->iso = d->other.iso_speed;
    info->shutter = d->other.shutter;
    info->aperture = d->other.aperture;
    info->focal_len = d->other.focal_len;
    info->timestamp = (long long)d->other.timestamp;
    if (d->other.parsed_gps.gpsparsed) {
        info->gps_valid = 1;
        info->gps_lat = dms_to_degrees(d->other.parsed_gps.latitude) * (d->other.parsed_gps.latref == 'S' ? -1 : 1);
        info->gps_lon = dms_to_degrees(d->other.parsed_gps.longitude) * (d->other.parsed_gps.longref == 'W' ? -1 : 1);
        info->gps_alt = d->other.parsed_gps.altitude * (d->other.parsed_gps.altref == 1 ? -1 : 1);
    }
    COPY_TEXT(info->make, d->idata.make);
    COPY_TEXT(info->model, d->idata.model);
    COPY_TEXT(info->lens_make, d->lens.LensMake);
    COPY_TEXT(info->lens, d->lens.Lens);
    COPY_TEXT(info->artist, d->other.artist);
    COPY_TEXT(info->description, d->other.desc);
    COPY_TEXT(info->color_letters, d->idata.cdesc);
    info->pixel_aspect = d->sizes.pixel_aspect;
    info->fuji_width = internal_data(h)->internal_output_params.fuji_width;
    info->raw_color = (int)internal_data(h)->internal_output_params.raw_color;
    info->is_foveon = (int)d->idata.is_foveon;
    memcpy(info->rgb_cam, d->color.rgb_cam, sizeof(info->rgb_cam));
    for (int i = 0; i < 4; i++) info->linear_max[i] = d->color.linear_max[i];
    info->data_offset = internal_data(h)->unpacker_data.data_offset;
    info->data_size = data_extent(h);
    info->file_size = file_size(h);
    const char *decoder = libraw_unpack_function_name(d);
    if (decoder) copy_text(info->decoder, sizeof(info->decoder), decoder, strlen(decoder) + 1);
}

/* Copies the whole unpacked sensor array (margins included) into dst as rows of
 * raw_width * samples ushorts; for 4-sample data only the first three samples are kept. */
int rawengine_copy_raw(rawengine_handle *h, unsigned short *dst, size_t dst_count)
{
    libraw_data_t *d = h->lr;
    const int w = d->sizes.raw_width, ht = d->sizes.raw_height;
    const size_t pitch = d->rawdata.sizes.raw_pitch;
    if (d->rawdata.raw_image) {
        if (dst_count < (size_t)w * ht) return LIBRAW_OUT_OF_ORDER_CALL;
        for (int y = 0; y < ht; y++)
            memcpy(dst + (size_t)y * w, (const char *)d->rawdata.raw_image + y * pitch, (size_t)w * 2);
        return LIBRAW_SUCCESS;
    }
    const int in_samples = d->rawdata.color3_image ? 3 : 4;
    const unsigned short *base = d->rawdata.color3_image ? (const unsigned short *)d->rawdata.color3_image
                                                         : (const unsigned short *)d->rawdata.color4_image;
    if (!base) return LIBRAW_OUT_OF_ORDER_CALL;
    if (dst_count < (size_t)w * ht * 3) return LIBRAW_OUT_OF_ORDER_CALL;
    for (int y = 0; y < ht; y++) {
        const unsigned short *row = (const unsigned short *)((const char *)base + y * pitch);
        unsigned short *out = dst + (size_t)y * w * 3;
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) out[x * 3 + c] = row[x * in_samples + c];
    }
    return LIBRAW_SUCCESS;
}

/* Unpacks the embedded preview. format: 1 JPEG, 2 bitmap (8-bit RGB), as LibRaw's thumbnail formats. */
int rawengine_thumbnail(rawengine_handle *h, const void **data, unsigned *length, int *format, int *width, int *height)
{
    int rc = libraw_unpack_thumb(h->lr);
    if (rc != LIBRAW_SUCCESS) return rc;
    libraw_thumbnail_t *t = &h->lr->thumbnail;
    *data = t->thumb;
    *length = t->tlength;
    *format = (int)t->tformat;
    *width = t->twidth;
    *height = t->theight;
    return LIBRAW_SUCCESS;
}

} /* extern "C" */
