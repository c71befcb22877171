</main>
<hr><footer id="footer">Powered by the WHMCS stand-in · {$companyname|escape:'html'}</footer>
</body></html>
