{* A SpectroCoin customer page (Pay Now errors, refusals, stale presses), inside the active theme.
   Stable ids for browser tests: spectrocoin-message, -title, -text, -reference, -back. *}
<div id="spectrocoin-message" class="spectrocoin-message spectrocoin-{$spectrocoin.kind|escape:'html'}">
<h1 id="spectrocoin-title">{$spectrocoin.title|escape:'html'}</h1>
<div class="alert alert-{$spectrocoin.tone|escape:'html'}"><p id="spectrocoin-text">{$spectrocoin.message|escape:'html'}</p></div>
{if $spectrocoin.reference}<p id="spectrocoin-reference" class="spectrocoin-reference">{$spectrocoin.referenceIntro|escape:'html'} <strong>{$spectrocoin.reference|escape:'html'}</strong></p>{/if}
<p><a id="spectrocoin-back" class="btn btn-default" href="{$spectrocoin.backUrl|escape:'html'}">{$spectrocoin.backLabel|escape:'html'}</a></p>
</div>
