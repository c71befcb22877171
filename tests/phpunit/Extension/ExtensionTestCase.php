<?php

declare(strict_types=1);

namespace Tests\Extension;

use PHPUnit\Framework\TestCase;

abstract class ExtensionTestCase extends TestCase
{
    protected static function vectors(): array
    {
        static $v;
        return $v ??= json_decode(
            (string) file_get_contents(__DIR__ . '/../../fixtures/vectors/spectrocoin-vectors.json'),
            true,
            512,
            JSON_THROW_ON_ERROR
        );
    }

    protected function setUp(): void
    {
        if (!extension_loaded('spectrocoin')) {
            self::fail('the spectrocoin extension is not loaded (run through `make test`, which passes -d extension=...)');
        }
    }

    /** V1's fields as a form body, with changes applied in place. */
    protected static function v1Body(array $changes = []): string
    {
        $cb = self::vectors()['callbacks'][0];
        $fields = $cb['fields'] + ['sign' => $cb['sign']];
        foreach ($changes as $k => $v) {
            if ($v === null) {
                unset($fields[$k]);
            } else {
                $fields[$k] = $v;
            }
        }
        return http_build_query($fields);
    }

    protected static function v1Merchant(array $extra = []): array
    {
        return $extra + [
            'merchantId' => '169',
            'projectId' => '3',
            'publicKey' => self::vectors()['spectrocoin_callback_public_key_pem'],
        ];
    }
}
