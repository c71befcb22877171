<?php

namespace WHMCS\Module;

/**
 * Admin dashboard widget (developer docs "Widgets", class reference WHMCS\Module\AbstractWidget):
 * the protected properties a widget sets, the documented getters, and render() = generateOutput of
 * getData. Caching is not simulated: every render asks getData() again.
 */
abstract class AbstractWidget
{
    protected $title = '';
    protected $description = '';
    protected $weight = 100;
    protected $columns = 1;
    protected $cache = false;
    protected $cachePerUser = false;
    protected $cacheExpiry = 3600;
    protected $requiredPermission = '';
    protected $wrapper = true;
    protected $draggable = true;

    /** The class name, as documented. */
    public function getId()
    {
        return (new \ReflectionClass($this))->getShortName();
    }

    public function getTitle()
    {
        return $this->title;
    }

    public function getDescription()
    {
        return $this->description;
    }

    public function getColumnSize()
    {
        return (int) $this->columns;
    }

    public function getWeight()
    {
        return (int) $this->weight;
    }

    public function showWrapper()
    {
        return (bool) $this->wrapper;
    }

    public function isCachable()
    {
        return (bool) $this->cache;
    }

    public function isCachedPerUser()
    {
        return (bool) $this->cachePerUser;
    }

    public function getCacheExpiry()
    {
        return (int) $this->cacheExpiry;
    }

    public function getRequiredPermission()
    {
        return (string) $this->requiredPermission;
    }

    public function isDraggable()
    {
        return (bool) $this->draggable;
    }

    /** A widget should override this method. */
    public function getData()
    {
        return [];
    }

    /** A widget should override this method. */
    public function generateOutput($data)
    {
        return '';
    }

    public function sanitizeData($data)
    {
        return $data;
    }

    public function render($forceRefresh = false)
    {
        return (string) $this->generateOutput($this->sanitizeData($this->getData()));
    }
}
