<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * A failed exchange with SpectroCoin in words an admin can act on, from the facts the extension
 * keeps apart (class, HTTP status, SpectroCoin's code, traceId): "SpectroCoin answered HTTP 503" is
 * not "could not be reached", and "no answer in 10 s" may mean the order exists at SpectroCoin.
 */
final class ExchangeFailure
{
    const REFUSED = 'refused';         // SpectroCoin answered and said no
    const ERROR = 'error';             // SpectroCoin answered, but with an error page or an unusable answer
    const UNREACHABLE = 'unreachable'; // no connection (DNS, connect, TLS): nothing was sent
    const NO_ANSWER = 'no_answer';     // sent, but nothing came back in time: it may have taken effect

    /** Which of the kinds above. */
    public static function kind(\SpectroCoin\Exception $e): string
    {
        if ($e instanceof \SpectroCoin\ApiException) {
            $status = $e->getHttpStatus();
            return $status !== null && ($status === 429 || $status >= 500) ? self::ERROR : self::REFUSED;
        }
        if (!$e instanceof \SpectroCoin\NetworkException || $e->getHttpStatus() !== null
            || preg_match('/answered more than/', $e->getMessage()) === 1) {
            return self::ERROR;
        }
        return preg_match('/not found \(DNS\)|could not connect|TLS handshake/', $e->getMessage()) === 1 ? self::UNREACHABLE : self::NO_ANSWER;
    }

    /** One sentence: who answered what (or that nothing came back), then the extension's message. */
    public static function describe(\SpectroCoin\Exception $e): string
    {
        $status = method_exists($e, 'getHttpStatus') ? $e->getHttpStatus() : null;
        $message = $e->getMessage();
        $busy = $status !== null && ($status === 429 || $status >= 500) && stripos($message, 'temporary') === false
            ? ' (busy or down for now; trying again later may work)' : '';
        // The extension's messages usually name SpectroCoin and the status already ("SpectroCoin answered HTTP 503 …").
        $named = strpos($message, 'SpectroCoin') === 0 && ($status === null || $status === 203 || strpos($message, 'HTTP ' . $status) !== false);
        switch (self::kind($e)) {
            case self::REFUSED:
                return $named ? $message : 'SpectroCoin refused it' . ($status !== null ? ' (HTTP ' . $status . ')' : '') . ': ' . $message;
            case self::ERROR:
                if ($status === null) {
                    return 'SpectroCoin\'s answer could not be used: ' . $message;
                }
                return ($named ? $message : 'SpectroCoin answered HTTP ' . $status . ': ' . $message) . $busy;
            case self::UNREACHABLE:
                return 'SpectroCoin could not be reached: ' . $message;
            default:
                if (preg_match('/did not answer within ([0-9.]+) s/', $message, $m)) {
                    return 'No answer from SpectroCoin in ' . $m[1] . ' s: ' . $message;
                }
                return 'The connection to SpectroCoin broke off before its answer: ' . $message;
        }
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
