<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Read-only stand-in of the Eloquent models WHMCS hands out (WHMCS\User\Client, User, Admin):
 * a row whose columns read as properties (`$client->id`, `$user->email`).
 */
abstract class Model
{
    /** @var array<string, mixed> */
    private array $attributes;

    final public function __construct(array $attributes)
    {
        $this->attributes = $attributes;
    }

    abstract protected static function table(): string;

    /** @return static|null */
    public static function find($id)
    {
        $row = Capsule::table(static::table())->where('id', (int) $id)->first();
        return $row === null ? null : new static((array) $row);
    }

    public function __get(string $name)
    {
        return $this->attributes[$name] ?? null;
    }

    public function __isset(string $name): bool
    {
        return isset($this->attributes[$name]);
    }

    public function toArray(): array
    {
        return $this->attributes;
    }
}
