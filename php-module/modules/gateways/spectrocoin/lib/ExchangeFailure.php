<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * A failed exchange with SpectroCoin for the gateway log and Pay Now's stored reasons. How it failed
 * (refused, an error answer, unreachable, no answer) is the extension's decision
 * (getFailure()); its message already says who answered what: "SpectroCoin answered HTTP 503" is
 * not "could not be reached", and "did not answer within 10 s" may mean the order exists.
 */
final class ExchangeFailure
{
    const REFUSED = 'refused';         // SpectroCoin answered and said no
    const ERROR = 'error';             // SpectroCoin answered, but busy or with an unusable answer
    const UNREACHABLE = 'unreachable'; // no connection (DNS, connect, TLS): nothing was sent
    const NO_ANSWER = 'no_answer';     // sent, but nothing usable came back in time: it may have taken effect

    /** Which of the kinds above. */
    public static function kind(\SpectroCoin\Exception $e): string
    {
        return $e instanceof \SpectroCoin\ApiException || $e instanceof \SpectroCoin\NetworkException ? $e->getFailure() : self::ERROR;
    }

    /** The facts for the gateway log (HTTP status, SpectroCoin's code, traceId, temporary or not), none empty. */
    public static function facts(\SpectroCoin\Exception $e): array
    {
        if (!$e instanceof \SpectroCoin\ApiException && !$e instanceof \SpectroCoin\NetworkException) {
            return [];
        }
        return array_filter([
            'httpStatus' => $e->getHttpStatus(),
            'spectroCoinCode' => $e->getSpectroCoinCode(),
            'traceId' => $e->getTraceId(),
            'temporary' => $e->isRetryable() ? 'yes' : 'no',
        ], static fn ($v) => $v !== null && $v !== '');
    }
}
