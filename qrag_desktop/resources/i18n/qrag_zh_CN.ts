<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../app.py" line="65" />
        <source>Something went wrong: %1

The details are in the log file:
%2</source>
        <translation>出错了：%1

详细信息见日志文件：
%2</translation>
    </message>
    <message>
        <location filename="../../app.py" line="143" />
        <source>qrag-desktop is already running on this knowledge base:
%1</source>
        <translation>qrag-desktop 已在此知识库上运行：
%1</translation>
    </message>
</context>
<context>
    <name>ChatPane</name>
    <message>
        <location filename="../../ui/chat_pane.py" line="119" />
        <source>Ask a question about your documents…</source>
        <translation>就您的文档提一个问题…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="120" />
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="121" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="122" />
        <source>Copy answer</source>
        <translation>复制回答</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="123" />
        <source>Copy the last answer, as Markdown, to the clipboard.</source>
        <translation>将最近的回答以 Markdown 格式复制到剪贴板。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="178" />
        <source>## Ask your documents

Type a question below. The answer is written from the passages found in your knowledge folders, with numbered citations you can click.

Add folders on the left; indexing starts by itself.</source>
        <translation>## 向您的文档提问

在下方输入问题。回答依据知识文件夹中找到的段落生成，并附有可点击的编号引用。

在左侧添加文件夹，索引会自动开始。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="186" />
        <source>Searching your documents…</source>
        <translation>正在搜索您的文档…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="190" />
        <source>Writing the answer…</source>
        <translation>正在生成回答…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="192" />
        <source>No generated answer.</source>
        <translation>没有生成回答。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="194" />
        <source>The best passages are listed under Sources.</source>
        <translation>最相关的段落列在“来源”中。</translation>
    </message>
</context>
<context>
    <name>ConversationsPanel</name>
    <message>
        <location filename="../../ui/conversations_panel.py" line="61" />
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="62" />
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="63" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="73" />
        <source>%1 · %2 questions</source>
        <translation>%1 · %2 个问题</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message numerus="yes">
        <location filename="../../ui/indexing_view.py" line="49" />
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="52" />
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="57" />
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
</context>
<context>
    <name>FileStatus</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="35" />
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="36" />
        <source>Reading</source>
        <translation>读取中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="37" />
        <source>Embedding</source>
        <translation>嵌入中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="38" />
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="39" />
        <source>Unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="40" />
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="41" />
        <source>Removed</source>
        <translation>已移除</translation>
    </message>
</context>
<context>
    <name>FileTableModel</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="115" />
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="116" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="117" />
        <source>Chunks</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="118" />
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="43" />
        <source>Models needed</source>
        <translation>需要模型</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="61" />
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="63" />
        <source>Choose a model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="66" />
        <source>Continue with keyword search only</source>
        <translation>仅使用关键词搜索继续</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="68" />
        <source>Continue without reranking</source>
        <translation>不重排序继续</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="78" />
        <source>To search by meaning, qrag-desktop needs its language models on this computer. They are downloaded once and then work offline. Until then, keyword search works with no model.</source>
        <translation>要按语义搜索，qrag-desktop 需要在本机上有语言模型。模型只需下载一次，之后可离线使用。在此之前，关键词搜索无需模型即可使用。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="84" />
        <source>The reranking model is not on this computer. Without it, results are not reranked.</source>
        <translation>本机上没有重排序模型。没有它，结果不会被重新排序。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="115" />
        <source>Embedding model (search by meaning)</source>
        <translation>嵌入模型（语义搜索）</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="117" />
        <source>Reranking model</source>
        <translation>重排序模型</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="123" />
        <source>Download (%1)</source>
        <translation>下载（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="123" />
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="135" />
        <source>Downloading %1: %2 of %3</source>
        <translation>正在下载 %1：%2 / %3</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="148" />
        <source>Download cancelled. Downloading again continues where it stopped.</source>
        <translation>下载已取消。再次下载会从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="163" />
        <source>Connecting to the model hub…</source>
        <translation>正在连接模型仓库…</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="169" />
        <source>Choose the folder that holds the embedding model</source>
        <translation>选择包含嵌入模型的文件夹</translation>
    </message>
</context>
<context>
    <name>FoldersPanel</name>
    <message>
        <location filename="../../ui/folders_panel.py" line="98" />
        <source>Knowledge folders</source>
        <translation>知识文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="101" />
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="102" />
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="103" />
        <source>Passages</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="104" />
        <source>Last indexed</source>
        <translation>上次索引</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="105" />
        <source>Local only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="110" />
        <source>Passages from a local-only folder are searched but never sent to the cloud model.</source>
        <translation>“仅本地”文件夹中的段落可以被搜索，但绝不会发送给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="112" />
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="113" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="114" />
        <source>Index again</source>
        <translation>重新索引</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="115" />
        <source>Look for new, changed and deleted files in all folders.</source>
        <translation>在所有文件夹中查找新增、修改和删除的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="118" />
        <source>Add a folder of documents (Markdown, text, PDF, Word, HTML), or drop one on this window.</source>
        <translation>添加一个文档文件夹（Markdown、文本、PDF、Word、HTML），或将其拖放到此窗口。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="157" />
        <source>(%1 failed)</source>
        <translation>（%1 个失败）</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="161" />
        <location filename="../../ui/folders_panel.py" line="164" />
        <source>not yet</source>
        <translation>尚未</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="182" />
        <source>Choose a folder of documents</source>
        <translation>选择文档文件夹</translation>
    </message>
</context>
<context>
    <name>IndexingView</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="232" />
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="233" />
        <source>Chunks</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="234" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="235" />
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="236" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="237" />
        <source>Retry failed files</source>
        <translation>重试失败的文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="301" />
        <source>Indexing cancelled. What was done is kept; indexing again continues from there.</source>
        <translation>索引已取消。已完成的部分会保留，再次索引将从那里继续。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="306" />
        <source>Indexing done: %1 indexed, %2 unchanged, %3 failed. %4 passages in the index.</source>
        <translation>索引完成：已索引 %1 个，未变化 %2 个，失败 %3 个。索引中共有 %4 个段落。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="313" />
        <source>Indexing stopped: %1</source>
        <translation>索引已停止：%1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="315" />
        <source>Paused. Resume to go on.</source>
        <translation>已暂停。点击“继续”以继续。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="297" />
        <source>Indexing is paused (since the last session). Resume goes on where it stopped.</source>
        <translation>索引已暂停（自上次使用起）。点击“继续”从停下的地方接着做。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="319" />
        <source>Starting (loading the embedding model)…</source>
        <translation>正在启动（加载嵌入模型）…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="320" />
        <source>Looking for files…</source>
        <translation>正在查找文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="321" />
        <source>Reading files…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="322" />
        <source>Embedding passages…</source>
        <translation>正在嵌入段落…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="323" />
        <source>Removing files that are gone…</source>
        <translation>正在移除已不存在的文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="327" />
        <source>Nothing is being indexed. Add a folder to start.</source>
        <translation>当前没有索引任务。添加一个文件夹即可开始。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="332" />
        <source>%1 of %2 files</source>
        <translation>%1 / %2 个文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="337" />
        <source>%1 of %2 passages</source>
        <translation>%1 / %2 个段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="341" />
        <source>%1 passages/s</source>
        <translation>%1 段落/秒</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="343" />
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="345" />
        <source>took %1</source>
        <translation>用时 %1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="348" />
        <source>Current file: %1</source>
        <translation>当前文件：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="254" />
        <source>qrag-desktop — your private knowledge base</source>
        <translation>qrag-desktop — 您的私人知识库</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="255" />
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256" />
        <source>Indexing</source>
        <translation>索引</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="257" />
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="258" />
        <source>Add a folder of documents to the knowledge base</source>
        <translation>向知识库添加文档文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="259" />
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="260" />
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="261" />
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="298" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="384" />
        <source>Index not available: %1</source>
        <translation>索引不可用：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="388" />
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="388" />
        <source>checking…</source>
        <translation>检测中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="393" />
        <source>Keyword search only (no embedding model)</source>
        <translation>仅关键词搜索（无嵌入模型）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="395" />
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="397" />
        <source>Embedding: %1 · Reranking: %2</source>
        <translation>嵌入：%1 · 重排序：%2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="405" />
        <source>Index: %1 files, %2 passages, %3 MB</source>
        <translation>索引：%1 个文件，%2 个段落，%3 MB</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="420" />
        <source>Indexing…</source>
        <translation>索引中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422" />
        <source>Answering…</source>
        <translation>回答中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="424" />
        <source>Downloading…</source>
        <translation>下载中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="426" />
        <source>Removing…</source>
        <translation>移除中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="485" />
        <source>Remove folder</source>
        <translation>移除文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="487" />
        <source>Remove %1 from the knowledge base? Its passages leave the index; the files stay where they are.</source>
        <translation>从知识库中移除 %1？其段落将从索引中删除；文件本身保留在原处。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="571" />
        <location filename="../../ui/main_window.py" line="714" />
        <source>Unexpected error: %1</source>
        <translation>意外错误：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="720" />
        <location filename="../../ui/main_window.py" line="741" />
        <source>No generated answer: %1</source>
        <translation>没有生成回答：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="732" />
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="735" />
        <source>No passages were found for this question. Is anything indexed yet?</source>
        <translation>没有找到与此问题相关的段落。是否已经索引了文档？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="738" />
        <source>All relevant passages are in local-only folders, so nothing was sent to the cloud model.</source>
        <translation>所有相关段落都在“仅本地”文件夹中，因此没有发送任何内容给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="781" />
        <source>No app is set up to open %1</source>
        <translation>没有可打开 %1 的应用</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="831" />
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="831" />
        <source>Delete this conversation and its answers?</source>
        <translation>删除此对话及其回答？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="885" />
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="899" />
        <source>Index again?</source>
        <translation>重新索引？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="901" />
        <source>The embedding model or vector size changed. Every passage must be embedded again, which can take a while. Index again now?</source>
        <translation>嵌入模型或向量维度已更改。所有段落都需要重新嵌入，这可能需要一些时间。现在重新索引吗？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="989" />
        <source>That folder does not hold a model (no config.json in it). Choose the model's folder.</source>
        <translation>该文件夹中没有模型（缺少 config.json）。请选择模型所在的文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="782" />
        <source>Cannot watch the folders for changes (%1). Index again after editing files.</source>
        <translation>无法监视文件夹的变化（%1）。编辑文件后请点击“重新索引”。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="40" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="49" />
        <source>Saved: %1</source>
        <translation>已保存：%1</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="49" />
        <source>sk-…</source>
        <translation>sk-…</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="51" />
        <source>Remove key</source>
        <translation>删除密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="54" />
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="66" />
        <source>Answers (cloud model)</source>
        <translation>回答（云端模型）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="68" />
        <source>OpenAI API key</source>
        <translation>OpenAI API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="70" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="71" />
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="72" />
        <source>The key is kept in the system keychain, never in the settings file.</source>
        <translation>密钥保存在系统钥匙串中，绝不会写入设置文件。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="82" />
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="83" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="84" />
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="85" />
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="92" />
        <source>Full size</source>
        <translation>完整维度</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="95" />
        <source>Local models</source>
        <translation>本地模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="97" />
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="98" />
        <source>Reranking model</source>
        <translation>重排序模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="99" />
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="100" />
        <source>Vector size (MRL)</source>
        <translation>向量维度（MRL）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="101" />
        <source>Task instruction</source>
        <translation>任务指令</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="110" />
        <source>Rerank the candidates with the reranking model</source>
        <translation>使用重排序模型对候选结果重新排序</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="112" />
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="114" />
        <source>Candidates per method</source>
        <translation>每种方法的候选数</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="115" />
        <source>Passages per answer</source>
        <translation>每个回答的段落数</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="120" />
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="124" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="126" />
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="144" />
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="145" />
        <source>Use a model from a folder on this computer instead of a model id.</source>
        <translation>使用本机文件夹中的模型，而不是模型 ID。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="148" />
        <source>Choose the folder that holds the model</source>
        <translation>选择包含模型的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="160" />
        <source>No key (it will be removed when you save)</source>
        <translation>无密钥（保存时将删除）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="166" />
        <source>Testing…</source>
        <translation>测试中…</translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <location filename="../../ui/sources_panel.py" line="126" />
        <source>Sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="127" />
        <source>Sent to the cloud</source>
        <translation>发送到云端</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="129" />
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="129" />
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="129" />
        <source>Page / heading</source>
        <translation>页码 / 标题</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="129" />
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="131" />
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="183" />
        <source>Ask a question: the passages it is answered from appear here.</source>
        <translation>提一个问题：回答所依据的段落会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="185" />
        <source>Keyword and meaning matches; reranking…</source>
        <translation>关键词与语义匹配结果；正在重排序…</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="187" />
        <source>Best passages, reranked by relevance.</source>
        <translation>最相关的段落，已按相关性重排序。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="189" />
        <source>Passages used for this answer.</source>
        <translation>此回答使用的段落。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="193" />
        <source>Nothing has been sent to the cloud model for this question.</source>
        <translation>此问题没有向云端模型发送任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="200" />
        <source>This exact text goes to %1 (%2 tokens with the instructions and earlier turns):</source>
        <translation>以下文本将原样发送给 %1（含指令和先前对话共 %2 个 token）：</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="201" />
        <source>the cloud model</source>
        <translation>云端模型</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="213" />
        <location filename="../../ui/sources_panel.py" line="247" />
        <source>page %1</source>
        <translation>第 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="216" />
        <source>local</source>
        <translation>本地</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="225" />
        <source>From a local-only folder: searched, never sent to the cloud model.</source>
        <translation>来自“仅本地”文件夹：可被搜索，绝不发送给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="252" />
        <source>Local only: this passage was not sent to the cloud model.</source>
        <translation>仅本地：此段落未发送给云端模型。</translation>
    </message>
</context>
</TS>