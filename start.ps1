<#
.SYNOPSIS
Start the whole system with one command: .\start.ps1      (Linux/macOS: ./start.sh)
  Admin  http://localhost:8000/admin/     Flower http://localhost:5555/

.DESCRIPTION
The Windows twin of start.sh, with the same settings and behaviour.
With a running Docker engine (Docker Desktop): `docker compose up --build` (PostgreSQL, Redis,
web, worker, beat, Flower). Without one, a local mode on this machine: a virtualenv, a Redis of
its own (data in .run\redis\), SQLite (or DATABASE_URL), the web server, a Celery worker, beat and
Flower, each logging to .run\logs\ (NAME.log and NAME.err.log). Ctrl-C stops everything it
started. Either way .env is created from .env.example first when missing, with random
SECRET_KEY, POSTGRES_PASSWORD and FLOWER_BASIC_AUTH.

On Windows the local mode serves with Django's runserver (gunicorn does not run there) and the
worker uses the solo pool (Celery's default pool does not either); elsewhere it uses gunicorn
and the default pool, like start.sh. Redis has no official Windows build: use Docker Desktop,
Redis inside WSL, or a Windows port such as Memurai, with redis-server on PATH.

Settings (from the environment, else from .env, else the default):
  START_MODE     auto (default: docker when `docker info` works), docker or local
  VENV           the local mode's virtualenv (default .venv; created when missing)
  WEB_PORT, FLOWER_PORT, REDIS_PORT              default 8000, 5555, 6379
  DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_PASSWORD, DJANGO_SUPERUSER_EMAIL
                 create this admin user (kept as it is when it exists)
  DATABASE_URL   local mode: PostgreSQL instead of the SQLite file db.sqlite3
  PYTHON         local mode: the Python that creates the virtualenv (default python)
#>
#Requires -Version 5.1
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Set-Location -LiteralPath $PSScriptRoot
$Project = (Get-Location).Path
$RunDir = Join-Path $Project '.run'
$LogDir = Join-Path $RunDir 'logs'
$PidFile = Join-Path $RunDir 'start.pid'
$EnvFile = Join-Path $Project '.env'
$OnWindows = [Environment]::OSVersion.Platform -eq [PlatformID]::Win32NT

# A message that cannot be written (its reader has gone: `.\start.ps1 | Tee-Object run.log`,
# then Ctrl-C, which stops the pipeline) must not end the script halfway through stopping its
# children: the error is dropped, like start.sh's SIGPIPE.
function Say([string]$Message) {
    try { Write-Host "start.ps1: $Message" } catch { $null = $_ }
}
function Fail([string]$Message) {
    [Console]::Error.WriteLine("start.ps1: $Message")
    exit 1
}

# --- .env ----------------------------------------------------------------------------------------

# The last value given to KEY in .env, without quotes; empty when absent.
function Get-EnvFileValue([string]$Key) {
    $value = ''
    if (Test-Path -LiteralPath $EnvFile) {
        $pattern = '^\s*' + [regex]::Escape($Key) + '\s*=\s*(.*?)\s*$'
        foreach ($line in Get-Content -LiteralPath $EnvFile) {
            if ($line -match $pattern) { $value = $Matches[1] }
        }
    }
    if ($value -match '^"(.*)"$' -or $value -match "^'(.*)'$") { $value = $Matches[1] }
    return $value
}

# KEY from the environment, else from .env, else DEFAULT: the precedence Django's settings use.
function Get-Setting([string]$Key, [string]$Default) {
    $value = [Environment]::GetEnvironmentVariable($Key)
    if (-not $value) { $value = Get-EnvFileValue $Key }
    if (-not $value) { $value = $Default }
    return $value
}

# Set KEY=VALUE in .env in place (appended when absent).
function Set-EnvFileValue([string]$Key, [string]$Value) {
    $found = $false
    $lines = @(foreach ($line in Get-Content -LiteralPath $EnvFile) {
        if ($line.StartsWith("$Key=")) { $found = $true; "$Key=$Value" } else { $line }
    })
    if (-not $found) { $lines += "$Key=$Value" }
    [IO.File]::WriteAllLines($EnvFile, [string[]]$lines)
}

# N random letters and digits.
function New-RandomText([int]$Length) {
    $bytes = New-Object byte[] 96
    [Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    return ([Convert]::ToBase64String($bytes) -replace '[+/=]', '').Substring(0, $Length)
}

# Give KEY a random VALUE in .env when neither the environment nor .env has one.
function Set-Secret([string]$Key, [string]$Value) {
    if (Get-Setting $Key '') { return }
    Set-EnvFileValue $Key $Value
    Say "generated $Key in .env"
}

function Initialize-EnvFile {
    if (-not (Test-Path -LiteralPath $EnvFile)) {
        if (-not (Test-Path -LiteralPath '.env.example')) {
            Fail '.env.example is missing: restore it from the repository.'
        }
        Copy-Item -LiteralPath '.env.example' -Destination $EnvFile
        Say 'created .env from .env.example'
    }
    Set-Secret 'SECRET_KEY' (New-RandomText 64)
    Set-Secret 'POSTGRES_PASSWORD' (New-RandomText 32)
    Set-Secret 'FLOWER_BASIC_AUTH' ('admin:' + (New-RandomText 24))
}

# --- Docker mode ---------------------------------------------------------------------------------

# Whether a native command succeeds, its output discarded.
function Test-Command([string]$Name, [string[]]$Arguments) {
    if (-not (Get-Command $Name -ErrorAction SilentlyContinue)) { return $false }
    # Windows PowerShell turns a native program's stderr into errors, which 'Stop' would throw.
    $ErrorActionPreference = 'Continue'
    & $Name @Arguments *> $null
    return $LASTEXITCODE -eq 0
}

function Test-Docker {
    return (Test-Command 'docker' @('info')) -and (Test-Command 'docker' @('compose', 'version'))
}

function Start-Docker {
    if (-not (Test-Docker)) {
        Fail ("START_MODE=docker, but no working Docker engine with the compose plugin " +
            "(``docker info`` and ``docker compose version`` must succeed). " +
            "Start Docker Desktop, or use START_MODE=local.")
    }
    Initialize-EnvFile
    Say 'Docker engine found: docker compose up --build (Ctrl-C stops it).'
    Say "Admin  http://localhost:$(Get-Setting 'WEB_PORT' '8000')/admin/"
    Say "Flower http://localhost:$(Get-Setting 'FLOWER_PORT' '5555')/  (login: FLOWER_BASIC_AUTH in .env)"
    & docker compose up --build
    exit $LASTEXITCODE
}

# --- Local mode: setup ---------------------------------------------------------------------------

function Assert-Redis {
    if (Get-Command 'redis-server' -ErrorAction SilentlyContinue) { return }
    Fail ("redis-server is not installed (Celery's broker). Install it with`n" +
        "    sudo apt-get install -y redis-server     # Debian, Ubuntu (also inside WSL)`n" +
        "    brew install redis                       # macOS`n" +
        "On Windows, Docker Desktop is simplest; or a Windows port such as Memurai, with`n" +
        "redis-server on PATH. Then run .\start.ps1 again.")
}

function Get-VenvTool([string]$Name) {
    if ($OnWindows) { return Join-Path $Venv "Scripts\$Name.exe" }
    return Join-Path $Venv "bin/$Name"
}

# A virtualenv with requirements.txt installed; pip runs again only when the file changes.
function Initialize-Venv {
    if (-not (Test-Path -LiteralPath (Get-VenvTool 'python'))) {
        $python = Get-Setting 'PYTHON' 'python'
        if (-not (Get-Command $python -ErrorAction SilentlyContinue)) {
            Fail "$python not found: install Python 3.11 or later (python.org), or set PYTHON."
        }
        & $python -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) { Fail "$python is older than 3.11: install Python 3.11 or later." }
        Say "creating the virtualenv $Venv"
        & $python -m venv $Venv
        if ($LASTEXITCODE -ne 0) { Fail 'could not create the virtualenv' }
    }
    $stamp = Join-Path $Venv '.start-requirements.txt'
    $current = (Get-FileHash -LiteralPath 'requirements.txt').Hash
    if (-not (Test-Path -LiteralPath $stamp) -or (Get-FileHash -LiteralPath $stamp).Hash -ne $current) {
        Say "installing requirements.txt into $Venv"
        & (Get-VenvTool 'python') -m pip install --disable-pip-version-check -q -r requirements.txt
        if ($LASTEXITCODE -ne 0) { Fail 'pip install -r requirements.txt failed' }
        Copy-Item -LiteralPath 'requirements.txt' -Destination $stamp
    }
}

# Refuse a second start while one runs; a pid file left by a killed run (its pid gone, or
# reused by another program) is taken over.
function Register-PidFile {
    New-Item -ItemType Directory -Force -Path $LogDir | Out-Null
    if (Test-Path -LiteralPath $PidFile) {
        $other = (Get-Content -LiteralPath $PidFile -TotalCount 1)
        $process = if ($other) { Get-Process -Id $other -ErrorAction SilentlyContinue }
        if ($process -and $process.ProcessName -match '^(pwsh|powershell)$') {
            Fail "already running (pid $other): see $LogDir. Stop it with Ctrl-C in its window, or: Stop-Process -Id $other"
        }
    }
    Set-Content -LiteralPath $PidFile -Value $PID
    $script:OwnsPidFile = $true
}

function Invoke-Manage([string[]]$Arguments) {
    & $Py manage.py @Arguments
    if ($LASTEXITCODE -ne 0) { Fail "manage.py $($Arguments -join ' ') failed" }
}

function New-Admin {
    $username = Get-Setting 'DJANGO_SUPERUSER_USERNAME' ''
    if (-not $username -or -not (Get-Setting 'DJANGO_SUPERUSER_PASSWORD' '')) {
        Say "no admin user requested. Create one with: $Py manage.py createsuperuser"
        Say '(or set DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_PASSWORD and _EMAIL in .env)'
        return
    }
    $ErrorActionPreference = 'Continue'
    $output = (& $Py manage.py createsuperuser --noinput 2>&1 | Out-String)
    if ($LASTEXITCODE -eq 0) {
        Say "created the admin user $username"
    } elseif ($output -match 'already taken') {
        Say "the admin user $username exists: kept as it is"
    } else {
        [Console]::Error.WriteLine($output)
        Fail "could not create the admin user $username"
    }
}

# --- Local mode: the processes -------------------------------------------------------------------

$Children = New-Object System.Collections.ArrayList
$OwnsPidFile = $false
$SavedEnvironment = @{}

# Set an environment variable for the children, remembering the session's value to restore.
function Set-ChildEnvironment([string]$Name, [string]$Value) {
    if (-not $SavedEnvironment.ContainsKey($Name)) {
        $SavedEnvironment[$Name] = [Environment]::GetEnvironmentVariable($Name)
    }
    [Environment]::SetEnvironmentVariable($Name, $Value)
}

# Run a program in the background with its output in .run\logs\NAME.log and NAME.err.log.
function Start-Child([string]$Name, [string]$Program, [string[]]$Arguments) {
    $process = Start-Process -FilePath $Program -ArgumentList $Arguments -NoNewWindow -PassThru `
        -RedirectStandardOutput (Join-Path $LogDir "$Name.log") `
        -RedirectStandardError (Join-Path $LogDir "$Name.err.log")
    [void]$Children.Add([pscustomobject]@{ Name = $Name; Process = $process })
    Say "started $Name (pid $($process.Id)), logs .run\logs\$Name.log and $Name.err.log"
}

# Stop the children newest first (Redis last), each with everything it started.
function Stop-Children {
    for ($i = $Children.Count - 1; $i -ge 0; $i--) {
        $process = $Children[$i].Process
        if ($process.HasExited) { continue }
        if ($OnWindows) {
            & taskkill.exe /T /F /PID $process.Id *> $null
        } else {
            # Like start.sh: a polite SIGTERM first, then up to 30 s before a kill.
            & kill -TERM $process.Id *> $null
            if (-not $process.WaitForExit(30000)) { $process.Kill() }
        }
        [void]$process.WaitForExit(30000)
    }
}

function Show-LogTail([string]$Name) {
    foreach ($log in @("$Name.log", "$Name.err.log")) {
        $path = Join-Path $LogDir $log
        if (Test-Path -LiteralPath $path) { Get-Content -LiteralPath $path -Tail 30 | Write-Host }
    }
}

# The HTTP status of URL, 0 when nothing answers.
function Get-HttpStatus([string]$Url) {
    try {
        return [int](Invoke-WebRequest -Uri $Url -UseBasicParsing -TimeoutSec 2).StatusCode
    } catch {
        return 0
    }
}

# Wait up to SECONDS until CHECK succeeds; fail with the log of the newest child if it exits first.
function Wait-For([string]$What, [int]$Seconds, [scriptblock]$Check) {
    $child = $Children[$Children.Count - 1]
    $deadline = (Get-Date).AddSeconds($Seconds)
    while (-not (& $Check)) {
        if ($child.Process.HasExited) {
            Show-LogTail $child.Name
            Fail "$($child.Name) exited before $What`: see .run\logs\$($child.Name).log"
        }
        if ((Get-Date) -gt $deadline) { Fail "no $What after $Seconds s: see .run\logs\" }
        Start-Sleep -Milliseconds 200
    }
}

function Test-Redis {
    if (-not (Get-Command 'redis-cli' -ErrorAction SilentlyContinue)) { return $false }
    $ErrorActionPreference = 'Continue'
    return ((& redis-cli -p $RedisPort ping 2>$null) -eq 'PONG')
}

function Start-Redis {
    if (Test-Redis) {
        Say "a Redis already answers on port ${RedisPort}: using it"
        return
    }
    $data = Join-Path $RunDir 'redis'
    New-Item -ItemType Directory -Force -Path $data | Out-Null
    Start-Child 'redis' 'redis-server' @('--bind', '127.0.0.1', '--port', $RedisPort,
        '--dir', "`"$data`"", '--appendonly', 'yes')
    Wait-For "Redis on port $RedisPort" 30 { Test-Redis }
}

# Return (stopping everything) as soon as one child has exited by itself.
function Watch-Children {
    while ($true) {
        foreach ($child in $Children) {
            if ($child.Process.HasExited) {
                Show-LogTail $child.Name
                Fail "$($child.Name) exited: see .run\logs\$($child.Name).log"
            }
        }
        Start-Sleep -Seconds 1
    }
}

function Start-Local {
    $script:Venv = Get-Setting 'VENV' (Join-Path $Project '.venv')
    $script:Py = Get-VenvTool 'python'
    Assert-Redis
    Initialize-Venv
    Initialize-EnvFile
    $WebPort = Get-Setting 'WEB_PORT' '8000'
    $FlowerPort = Get-Setting 'FLOWER_PORT' '5555'
    $script:RedisPort = Get-Setting 'REDIS_PORT' '6379'
    $flowerAuth = Get-Setting 'FLOWER_BASIC_AUTH' ''

    Register-PidFile
    try {
        # Celery talks to the Redis started here; Flower reads its login from the environment.
        Set-ChildEnvironment 'CELERY_BROKER_URL' "redis://127.0.0.1:$RedisPort/0"
        Set-ChildEnvironment 'CELERY_RESULT_BACKEND' "redis://127.0.0.1:$RedisPort/0"
        Set-ChildEnvironment 'FLOWER_BASIC_AUTH' $flowerAuth
        Set-ChildEnvironment 'PYTHONUNBUFFERED' '1'

        $database = 'SQLite (db.sqlite3)'
        if (Get-Setting 'DATABASE_URL' '') { $database = 'DATABASE_URL' }
        Say "local mode (no Docker engine, or START_MODE=local); database: $database"
        Start-Redis
        Invoke-Manage @('migrate', '--noinput')
        Invoke-Manage @('collectstatic', '--noinput', '-v', '0')
        New-Admin

        $celery = Get-VenvTool 'celery'
        if ($OnWindows) {
            Start-Child 'web' $Py @('manage.py', 'runserver', "127.0.0.1:$WebPort", '--noreload')
            $pool = @('--pool=solo')
        } else {
            Start-Child 'web' (Get-VenvTool 'gunicorn') @('budget_system.wsgi', '--bind',
                "127.0.0.1:$WebPort", '--workers', '2', '--access-logfile', '-')
            $pool = @('--concurrency=2')
        }
        Wait-For "the admin on port $WebPort" 60 {
            (Get-HttpStatus "http://127.0.0.1:$WebPort/admin/login/") -eq 200
        }
        Start-Child 'worker' $celery (@('-A', 'budget_system', 'worker', '--loglevel=INFO') + $pool)
        Start-Child 'beat' $celery @('-A', 'budget_system', 'beat', '--loglevel=INFO',
            '--scheduler=django_celery_beat.schedulers:DatabaseScheduler')
        Start-Child 'flower' $celery @('-A', 'budget_system', 'flower', '--address=127.0.0.1',
            "--port=$FlowerPort")
        Wait-For "Flower on port $FlowerPort" 60 {
            (Get-HttpStatus "http://127.0.0.1:$FlowerPort/healthcheck") -eq 200
        }

        $user, $password = $flowerAuth -split ':', 2
        Say "  Admin   http://localhost:$WebPort/admin/"
        Say "  Flower  http://localhost:$FlowerPort/   login $user / $password"
        Say "  Redis   127.0.0.1:$RedisPort    logs: .run\logs\"
        Say "  Demo data: $Py manage.py seed_demo"
        Say 'running. Ctrl-C stops everything.'
        Watch-Children
    } finally {
        if ($Children.Count -gt 0) {
            Say 'stopping...'
            Stop-Children
            Say 'stopped'
        }
        foreach ($name in $SavedEnvironment.Keys) {
            [Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name])
        }
        if ($OwnsPidFile) { Remove-Item -LiteralPath $PidFile -ErrorAction SilentlyContinue }
    }
}

$Mode = Get-Setting 'START_MODE' 'auto'
switch ($Mode) {
    'auto' { if (Test-Docker) { Start-Docker } else { Start-Local } }
    'docker' { Start-Docker }
    'local' { Start-Local }
    default { Fail "START_MODE must be auto, docker or local (not '$Mode')" }
}
