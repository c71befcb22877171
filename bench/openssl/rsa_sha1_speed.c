/*
 * Raw OpenSSL speed of the operation the extension performs: RSASSA-PKCS1-v1_5 with SHA-1 over
 * the same bytes with the same RSA-2048 key, single thread, fixed duration.
 *
 *   rsa_sha1_speed sign   <private.pem> <data-file> <seconds>|n=<count>|serve [evp]
 *   rsa_sha1_speed verify <public.pem>  <data-file> <seconds>|n=<count>|serve <signature-base64-file> [evp]
 *
 * Default ("raw"): the EVP_PKEY_CTX is prepared once (padding, digest), each operation is
 * SHA1(data) + EVP_PKEY_sign/verify, which is what `openssl speed rsa2048` times plus the hash.
 * "evp": a fresh EVP_MD_CTX + EVP_DigestSign/VerifyInit per operation (what a library call that
 * keeps only the parsed key does). n=<count>: exactly that many operations (for callgrind).
 * serve: slices on demand (the side-by-side protocol of bench/run.php): each line "<n>" read from stdin
 * runs n operations and answers "<cpu_ns> <wall_ns>"; "0" or the end of input stops. Rates per
 * wall second and per second of the process's CPU time (CLOCK_PROCESS_CPUTIME_ID). Prints one JSON line: {"mode","variant","ops","seconds","rate"}.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n + 1);
    if (fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(2); }
    buf[n] = 0;
    fclose(f);
    *len = n;
    return buf;
}

static void die(const char *what) { fprintf(stderr, "%s failed\n", what); exit(1); }

/* One operation: SHA-1 of the data and the RSA operation (or the per-call EVP set-up path). */
static void one_op(int sign, int evp, EVP_PKEY_CTX *ctx, EVP_PKEY *key, const unsigned char *data,
                   size_t dlen, unsigned char *sig, size_t *siglen)
{
    if (!evp) {
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1(data, dlen, md);
        if (sign) {
            *siglen = 512;
            if (EVP_PKEY_sign(ctx, sig, siglen, md, sizeof md) <= 0) die("sign");
        } else if (EVP_PKEY_verify(ctx, sig, *siglen, md, sizeof md) != 1) {
            die("verify");
        }
    } else {
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        if (sign) {
            *siglen = 512;
            if (EVP_DigestSignInit(mctx, NULL, EVP_sha1(), NULL, key) <= 0
                || EVP_DigestSign(mctx, sig, siglen, data, dlen) <= 0) die("DigestSign");
        } else if (EVP_DigestVerifyInit(mctx, NULL, EVP_sha1(), NULL, key) <= 0
                   || EVP_DigestVerify(mctx, sig, *siglen, data, dlen) != 1) {
            die("DigestVerify");
        }
        EVP_MD_CTX_free(mctx);
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s sign|verify key data seconds [sigfile] [evp]\n", argv[0]);
        return 2;
    }
    int sign = strcmp(argv[1], "sign") == 0;
    size_t dlen, klen;
    unsigned char *data = slurp(argv[3], &dlen);
    unsigned char *pem = slurp(argv[2], &klen);
    long count = strncmp(argv[4], "n=", 2) == 0 ? atol(argv[4] + 2) : -1;
    double seconds = count >= 0 || strcmp(argv[4], "serve") == 0 ? 0 : atof(argv[4]);
    int evp = (argc > (sign ? 5 : 6)) && strcmp(argv[sign ? 5 : 6], "evp") == 0;

    BIO *bio = BIO_new_mem_buf(pem, (int)klen);
    EVP_PKEY *key = sign ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (!key) die("PEM read");

    unsigned char sig[512];
    size_t siglen = sizeof sig;
    if (!sign) {
        size_t blen;
        unsigned char *b64 = slurp(argv[5], &blen);
        while (blen && (b64[blen - 1] == '\n' || b64[blen - 1] == '\r')) blen--;
        int n = EVP_DecodeBlock(sig, b64, (int)blen);
        if (n < 0) die("base64");
        while (blen && b64[blen - 1] == '=') { n--; blen--; }
        siglen = (size_t)n;
    }

    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (!ctx) die("ctx");
    if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) <= 0) die("init");
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) die("padding");
    if (EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) <= 0) die("md");

    if (strcmp(argv[4], "serve") == 0) {
        char line[64];
        setvbuf(stdout, NULL, _IOLBF, 0);
        while (fgets(line, sizeof line, stdin)) {
            long n = atol(line);
            if (n <= 0) break;
            double c0 = cpu_now(), w0 = now();
            for (long i = 0; i < n; i++) one_op(sign, evp, ctx, key, data, dlen, sig, &siglen);
            printf("%.0f %.0f\n", (cpu_now() - c0) * 1e9, (now() - w0) * 1e9);
        }
        return 0;
    }

    long ops = 0;
    double cpu_start = cpu_now();
    double start = now(), end = start + seconds, t = start;
    while (count >= 0 ? ops < count : t < end) {
        int batch = count >= 0 ? (count - ops < 16 ? (int)(count - ops) : 16) : 16;
        for (int i = 0; i < batch; i++) one_op(sign, evp, ctx, key, data, dlen, sig, &siglen);
        ops += batch;
        t = now();
    }
    double el = t - start, cpu_el = cpu_now() - cpu_start;
    printf("{\"mode\":\"%s\",\"variant\":\"%s\",\"ops\":%ld,\"seconds\":%.6f,\"rate\":%.3f,\"cpu_seconds\":%.6f,\"cpu_rate\":%.3f}\n",
           sign ? "sign" : "verify", evp ? "evp" : "raw", ops, el, el > 0 ? ops / el : 0.0, cpu_el, cpu_el > 0 ? ops / cpu_el : 0.0);
    return 0;
}
