<!DOCTYPE html>
<html lang="{if $language == 'german'}de{elseif $language == 'lithuanian'}lt{else}en{/if}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{$pagetitle|escape:'html'} - {$companyname|escape:'html'}</title>
<style>body{ font-family:sans-serif;margin:2em }.alert{ padding:8px;margin:8px 0;border:1px solid }.alert-danger{ background:#fdd }.alert-info{ background:#def }.alert-warning{ background:#ffd }</style>
</head><body class="standin-theme">
<header id="header"><strong id="company-name">{$companyname|escape:'html'}</strong> <small>(WHMCS stand-in theme)</small></header>
<nav id="breadcrumb" class="breadcrumb">{foreach $breadcrumb as $crumb}{if !$crumb@first} &rsaquo; {/if}<a href="{$crumb.link|escape:'html'}">{$crumb.label|escape:'html'}</a>{/foreach}</nav>
<hr>
<main id="main-body">
