/*
 * icuuc.dll for the Wine prefix that builds and tests duban's Windows bundle.
 *
 * Why: Qt 6.10 and later link Qt6Core.dll against Windows 10's system ICU (icuuc.dll) for
 * its legacy text codecs. Wine 8 ships no icuuc.dll, so every Qt program would fail to
 * load. Qt only reaches these functions for non-UTF, non-Latin-1 codecs and copes when a
 * converter cannot be opened, so every function here reports failure and Qt falls back to
 * its own codecs. Test machinery only: it is copied into the prefix's system32, never into
 * the bundle (tests/test_bundle_windows.py checks that).
 */
#include <stddef.h>
#include <stdint.h>

typedef int icu_status;           /* UErrorCode: > 0 is an error */
typedef uint16_t icu_char;        /* UChar */
typedef struct icu_converter icu_converter;

#define ICU_FILE_ACCESS_ERROR 4
#define STUB __declspec(dllexport)

static void refuse(icu_status *status)
{
    if (status != NULL && *status <= 0)
        *status = ICU_FILE_ACCESS_ERROR;
}

static void no_callback(void **action, const void **context)
{
    if (action != NULL)
        *action = NULL;
    if (context != NULL)
        *context = NULL;
}

STUB icu_converter *ucnv_open(const char *name, icu_status *status) { (void)name; refuse(status); return NULL; }
STUB void ucnv_close(icu_converter *cnv) { (void)cnv; }
STUB void ucnv_reset(icu_converter *cnv) { (void)cnv; }
STUB int8_t ucnv_getMaxCharSize(const icu_converter *cnv) { (void)cnv; return 4; }
STUB const char *ucnv_getName(const icu_converter *cnv, icu_status *status) { (void)cnv; refuse(status); return NULL; }
STUB const char *ucnv_getStandardName(const char *name, const char *standard, icu_status *status)
{
    (void)name; (void)standard; refuse(status); return NULL;
}
STUB const char *ucnv_getAvailableName(int32_t index) { (void)index; return NULL; }
STUB int32_t ucnv_countAvailable(void) { return 0; }
STUB int32_t ucnv_toUCountPending(const icu_converter *cnv, icu_status *status) { (void)cnv; refuse(status); return 0; }
STUB int32_t ucnv_fromUCountPending(const icu_converter *cnv, icu_status *status) { (void)cnv; refuse(status); return 0; }

STUB void ucnv_getToUCallBack(const icu_converter *cnv, void **action, const void **context) { (void)cnv; no_callback(action, context); }
STUB void ucnv_getFromUCallBack(const icu_converter *cnv, void **action, const void **context) { (void)cnv; no_callback(action, context); }
STUB void ucnv_setToUCallBack(icu_converter *cnv, void *action, const void *context, void **old_action,
                              const void **old_context, icu_status *status)
{
    (void)cnv; (void)action; (void)context; no_callback(old_action, old_context); refuse(status);
}
STUB void ucnv_setFromUCallBack(icu_converter *cnv, void *action, const void *context, void **old_action,
                                const void **old_context, icu_status *status)
{
    (void)cnv; (void)action; (void)context; no_callback(old_action, old_context); refuse(status);
}

STUB void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                        int reason, icu_status *status)
{
    (void)context; (void)args; (void)units; (void)length; (void)reason; refuse(status);
}
STUB void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const icu_char *units, int32_t length,
                                          int32_t code_point, int reason, icu_status *status)
{
    (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; refuse(status);
}
STUB void ucnv_cbToUWriteUChars(void *args, const icu_char *source, int32_t length, int32_t offset, icu_status *status)
{
    (void)args; (void)source; (void)length; (void)offset; refuse(status);
}
STUB void ucnv_cbFromUWriteUChars(void *args, const icu_char **source, const icu_char *limit, int32_t offset,
                                  icu_status *status)
{
    (void)args; (void)source; (void)limit; (void)offset; refuse(status);
}
STUB void ucnv_toUnicode(icu_converter *cnv, icu_char **target, const icu_char *target_limit, const char **source,
                         const char *source_limit, int32_t *offsets, int flush, icu_status *status)
{
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    refuse(status);
}
STUB void ucnv_fromUnicode(icu_converter *cnv, char **target, const char *target_limit, const icu_char **source,
                           const icu_char *source_limit, int32_t *offsets, int flush, icu_status *status)
{
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush;
    refuse(status);
}
